-- People are found by e-mail without regard to case (an iTIP reply's
-- attendee, a sign-in, a reminder's or reply chase's recipient, an
-- organisation's contact in the reply summaries: LOWER(email) =
-- LOWER(?)). The unique index on email cannot serve that expression, so
-- each such lookup read every person; this index of the same expression
-- makes it a search on both databases.
CREATE INDEX people_email_lower ON people(LOWER(email));
