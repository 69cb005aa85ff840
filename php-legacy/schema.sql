-- Legacy portal store (SQLite). Applied once, on first use, by src/db.php.
-- Ids are opaque strings: a user id is the `sub` of the portal JWT, a course id is its code.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('teacher', 'student', 'admin')),
    password_hash TEXT NOT NULL
);

CREATE TABLE courses (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    teacher_id TEXT NOT NULL REFERENCES users (id)
);

CREATE TABLE course_students (
    course_id  TEXT NOT NULL REFERENCES courses (id),
    student_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (course_id, student_id)
);

CREATE INDEX course_students_by_student ON course_students (student_id);

-- One row per failed login, counted per username ('user') and per client address ('address').
CREATE TABLE login_failures (
    scope     TEXT    NOT NULL CHECK (scope IN ('user', 'address')),
    subject   TEXT    NOT NULL,
    failed_at INTEGER NOT NULL
);

CREATE INDEX login_failures_lookup ON login_failures (scope, subject, failed_at);
