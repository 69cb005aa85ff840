-- Legacy portal store (SQLite). Applied once, on first use, by src/db.php.
-- Ids are opaque strings: a user id is the `sub` of the portal JWT, a course id is its code.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('teacher', 'student', 'admin')),
    password_hash TEXT NOT NULL,
    -- Where the attendance service sends warnings and digests (null: no e-mail for this person).
    email         TEXT
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

-- Who teaches a course besides its teacher: a co-teacher has every right of the teacher, an assistant (TA,
-- "ayudante") runs classes but does not change the course or decide for its students (node-service decides
-- what each role may do; docs/architecture.md, "Course staff").
CREATE TABLE course_staff (
    course_id TEXT NOT NULL REFERENCES courses (id),
    person_id TEXT NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL CHECK (role IN ('co_teacher', 'assistant')),
    PRIMARY KEY (course_id, person_id)
);

CREATE INDEX course_staff_by_person ON course_staff (person_id);

-- Failed logins counted per key (src/throttle.php): scope 'user_address' (username and address set),
-- 'user' (address ''), 'address' (username ''); a window starts at its first failure.
CREATE TABLE login_throttle (
    scope             TEXT    NOT NULL CHECK (scope IN ('user_address', 'user', 'address')),
    username          TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    failures          INTEGER NOT NULL,
    window_started_at INTEGER NOT NULL,
    last_failed_at    INTEGER NOT NULL,
    PRIMARY KEY (scope, username, address)
);
