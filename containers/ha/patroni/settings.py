"""Patroni's settings for this member, printed as JSON (which YAML reads), from the environment:

PATRONI_NAME           this member's name and host name on the network (required)
PATRONI_SCOPE          the cluster's name in etcd (default asistencia)
PATRONI_ETCD3_HOSTS    etcd's host:port, comma-separated (default asistencia-etcd:2379)
PATRONI_SYNCHRONOUS    "on" (default): a commit returns once the standby has flushed it, and only a
                       standby that was synchronous may be promoted; "off": asynchronous replication
*_PASSWORD_FILE        PATRONI_SUPERUSER_PASSWORD_FILE, PATRONI_REPLICATION_PASSWORD_FILE (secret files)

The timings make a crash fail over in seconds: the leader key lives 10 s, Patroni's loop runs every second.
"""
import json
import os


def secret(name):
    with open(os.environ[name + "_FILE"], encoding="utf-8") as handle:
        return handle.read().strip()


name = os.environ["PATRONI_NAME"]
synchronous = os.environ.get("PATRONI_SYNCHRONOUS", "on") == "on"
settings = {
    "scope": os.environ.get("PATRONI_SCOPE", "asistencia"),
    "name": name,
    "restapi": {"listen": "0.0.0.0:8008", "connect_address": f"{name}:8008"},
    "etcd3": {"hosts": os.environ.get("PATRONI_ETCD3_HOSTS", "asistencia-etcd:2379").split(",")},
    "bootstrap": {
        "dcs": {
            "ttl": 10,
            "loop_wait": 1,
            "retry_timeout": 3,
            "synchronous_mode": synchronous,
            # With synchronous_mode the promoted standby has every commit a client was told of.
            "maximum_lag_on_failover": 1 << 20,
            "postgresql": {
                # The old primary rejoins as a standby: rewound, or cloned again when rewinding fails.
                "use_pg_rewind": True,
                "remove_data_directory_on_rewind_failure": True,
                "parameters": {
                    "wal_level": "replica",
                    "hot_standby": "on",
                    "max_wal_senders": 5,
                    "max_replication_slots": 5,
                    # Three node-service instances, each with its pool, plus Patroni's and the operators'.
                    "max_connections": 200,
                },
            },
        },
        "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}],
        "pg_hba": [
            "local all all trust",
            "host replication replicator all scram-sha-256",
            "host all all all scram-sha-256",
        ],
        # The application's role and database, once, on the member that initialises the cluster.
        "post_bootstrap": "/usr/local/libexec/asistencia/post-bootstrap.sh",
    },
    "postgresql": {
        "listen": "0.0.0.0:5432",
        "connect_address": f"{name}:5432",
        "data_dir": "/var/lib/postgresql/data/pgdata",
        "bin_dir": "/usr/lib/postgresql/15/bin",
        "pgpass": "/tmp/pgpass",
        # A new standby's copy starts at once, instead of after a checkpoint spread over minutes.
        "basebackup": [{"checkpoint": "fast"}],
        "authentication": {
            "superuser": {"username": "postgres", "password": secret("PATRONI_SUPERUSER_PASSWORD")},
            "replication": {"username": "replicator", "password": secret("PATRONI_REPLICATION_PASSWORD")},
            "rewind": {"username": "postgres", "password": secret("PATRONI_SUPERUSER_PASSWORD")},
        },
        "parameters": {"unix_socket_directories": "/var/run/postgresql", "password_encryption": "scram-sha-256"},
    },
}
print(json.dumps(settings, indent=2))
