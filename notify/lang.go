package notify

import (
	"strings"
)

// words are the fixed phrases of a notice in one language. English is the
// default; a person's language ("fr") picks another. Names, titles and
// places are the data's own and are not translated.
type words struct {
	lang                                                 string
	what, when, was, status, where, online, lead, who    string
	answer                                               string
	untitled, noVenue, notSet                            string
	wasValue                                             string // "(was %s)"
	everyCancelled, oneOccurrence                        string
	reminder, updated, instanceCancelled, cancelled      string // openings; %[1]s is the title
	invited                                              string
	subjReminder, subjUpdated, subjCancelled, subjInvite string
	yourTime, zoneTime, plannedTime, allDay              string
	andMore                                              string // ", and %d more"
	openLink, footer, inviteFooter                       string
	accept, tentative, decline                           string
	dates                                                *strings.Replacer
	units                                                map[string]string
	statuses                                             map[string]string
}

var english = &words{
	lang: "en",
	what: "What", when: "When", was: "Was", status: "Status", where: "Where", online: "Online", lead: "Lead", who: "Who", answer: "Answer",
	untitled: "Untitled activity", noVenue: "No venue", notSet: "Not set", wasValue: "(was %s)",
	everyCancelled: "(every occurrence of this recurring activity is cancelled)", oneOccurrence: "(one occurrence of a recurring activity)",
	reminder:          "Reminder: “%[1]s” starts in %[2]s.",
	updated:           "“%[1]s” has changed. The details below are up to date; the attached invitation updates your calendar.",
	instanceCancelled: "This occurrence of “%[1]s” has been cancelled; the other occurrences are unchanged. The attached invitation updates your calendar.",
	cancelled:         "“%[1]s” has been cancelled. The attached cancellation removes it from your calendar.",
	invited:           "You are invited to “%[1]s”. Answer with the links below or with your calendar's buttons; the planners see your answer at once.",
	subjReminder:      "Reminder", subjUpdated: "Updated", subjCancelled: "Cancelled", subjInvite: "Invitation",
	yourTime: "your time, %s", zoneTime: "%s time", plannedTime: "%s time, where it is planned", allDay: "(all day)",
	andMore:  ", and %d more",
	openLink: "Open in jointcal",
	footer: "You receive this message because you take part in this activity in jointcal. " +
		"Reminder times and opt-out are in your jointcal reminder preferences.",
	inviteFooter: "You receive this invitation because you take part in this activity in jointcal. " +
		"Invitations can be turned off in your jointcal preferences; reminders and changes still reach you.",
	accept: "Accept", tentative: "Tentative", decline: "Decline",
	units: map[string]string{"day": "day", "hour": "hour", "minute": "minute", "less": "less than a minute"},
}

var french = &words{
	lang: "fr",
	what: "Quoi", when: "Quand", was: "Avant", status: "Statut", where: "Où", online: "En ligne", lead: "Pilote", who: "Qui", answer: "Réponse",
	untitled: "Activité sans titre", noVenue: "Sans lieu", notSet: "Non défini", wasValue: "(auparavant %s)",
	everyCancelled: "(toutes les occurrences de cette activité récurrente sont annulées)", oneOccurrence: "(une occurrence d'une activité récurrente)",
	reminder:          "Rappel : « %[1]s » commence dans %[2]s.",
	updated:           "« %[1]s » a changé. Les détails ci-dessous sont à jour ; l'invitation jointe met votre agenda à jour.",
	instanceCancelled: "Cette occurrence de « %[1]s » est annulée ; les autres sont inchangées. L'invitation jointe met votre agenda à jour.",
	cancelled:         "« %[1]s » est annulé. L'annulation jointe le retire de votre agenda.",
	invited:           "Vous êtes invité à « %[1]s ». Répondez avec les liens ci-dessous ou les boutons de votre agenda ; les planificateurs voient votre réponse aussitôt.",
	subjReminder:      "Rappel", subjUpdated: "Modifié", subjCancelled: "Annulé", subjInvite: "Invitation",
	yourTime: "votre heure, %s", zoneTime: "heure de %s", plannedTime: "heure de %s, où elle est prévue", allDay: "(toute la journée)",
	andMore:  " et %d autres",
	openLink: "Ouvrir dans jointcal",
	footer: "Vous recevez ce message parce que vous participez à cette activité dans jointcal. " +
		"Les heures de rappel et leur désactivation sont dans vos préférences jointcal.",
	inviteFooter: "Vous recevez cette invitation parce que vous participez à cette activité dans jointcal. " +
		"Les invitations peuvent être désactivées dans vos préférences jointcal ; rappels et changements vous parviennent toujours.",
	accept: "Accepter", tentative: "Provisoire", decline: "Refuser",
	dates: strings.NewReplacer(
		"Mon ", "lun. ", "Tue ", "mar. ", "Wed ", "mer. ", "Thu ", "jeu. ", "Fri ", "ven. ", "Sat ", "sam. ", "Sun ", "dim. ",
		" Jan", " janv.", " Feb", " févr.", " Mar", " mars", " Apr", " avr.", " May", " mai", " Jun", " juin",
		" Jul", " juil.", " Aug", " août", " Sep", " sept.", " Oct", " oct.", " Nov", " nov.", " Dec", " déc."),
	units:    map[string]string{"day": "jour", "hour": "heure", "minute": "minute", "less": "moins d'une minute"},
	statuses: map[string]string{"tentative": "provisoire", "confirmed": "confirmé", "cancelled": "annulé"},
}

// wordsFor picks the phrases of a language; anything but "fr" is English.
func wordsFor(lang string) *words {
	if strings.EqualFold(lang, "fr") {
		return french
	}
	return english
}

// date translates the English day and month names of a formatted date.
func (w *words) date(s string) string {
	if w.dates == nil {
		return s
	}
	return w.dates.Replace(s)
}

// statusWord is a status as this language says it.
func (w *words) statusWord(s string) string {
	if t, ok := w.statuses[s]; ok {
		return t
	}
	return s
}

// replyLabel names an answer button.
func (w *words) replyLabel(partstat string) string {
	switch partstat {
	case "accepted":
		return w.accept
	case "tentative":
		return w.tentative
	case "declined":
		return w.decline
	}
	return partstat
}
