-- Keys the service signs with (the answer links of invitations), made
-- once by whichever instance needs one first and shared by all through
-- the database, so links stay valid across restarts and instances and no
-- setting has to carry a secret. Never logged, never in an answer.
CREATE TABLE server_keys (
    name       VARCHAR(64)  PRIMARY KEY,
    secret     VARCHAR(128) NOT NULL,
    created_at {{TIME}}     NOT NULL
);
