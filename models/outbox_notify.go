package models

// OutboxChannel is the PostgreSQL notification channel on which a process
// that has queued notices (the invitations of a booking) tells the process
// running the scheduled jobs to send them now: with several processes on
// one database, the booking and the dispatcher are often in different ones.
const OutboxChannel = "jointcal_outbox"
