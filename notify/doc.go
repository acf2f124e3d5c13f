// Package notify writes and delivers jointcal's e-mail: reminders before an
// occurrence, update notices after a significant change, and cancellation
// notices. For the many staff who never open jointcal, this e-mail is the
// product, so it must read well in every mail client and add itself to their
// calendar in one click.
//
// The package has two halves that meet at [Message]:
//
//   - [Compose] is pure: it turns a [Notice] (plain values the scheduler
//     fills from the database) into the bytes of one RFC 5322 message. The
//     message is multipart/mixed { multipart/alternative { text/plain,
//     text/html, text/calendar; method=REQUEST|CANCEL }, application/ics
//     "invite.ics" }, the structure Google Calendar itself sends and the one
//     Gmail, Outlook, Apple Mail and Thunderbird all turn into Add/Update
//     buttons. The iCalendar text comes from the calendar package, so the
//     invitation carries the same UID and SEQUENCE as the subscription feed
//     and clients update the event they already have instead of adding a
//     second one. The Message-ID is derived from the outbox key, so a retried
//     message is recognisably the same message.
//
//   - A [Sender] delivers a batch of messages and reports one error per
//     message. [SMTPSender] speaks SMTP through github.com/wneessen/go-mail
//     (STARTTLS, implicit TLS, PLAIN/LOGIN authentication, timeouts), reuses
//     one connection for the whole batch and reconnects when a connection
//     drops. [DirSink] is the sink used when no SMTP server is configured: it
//     writes each message as an .eml file a person can open and logs one line
//     per message, so `jointcal serve --demo` shows reminders without a mail
//     server.
//
// [IsPermanent] tells the outbox whether a failure is worth retrying: a
// recipient or message the server rejected with a 5xx reply is not; a 4xx
// reply, a dropped connection or a server that is down is.
//
// Like planning and calendar, notify imports neither api nor models.
package notify
