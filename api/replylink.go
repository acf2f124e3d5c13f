package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/jointcal/jointcal/auth"
	"github.com/jointcal/jointcal/models"
	"github.com/labstack/echo/v4"
)

// The answer links of invitations (/reply/{token}) work without signing
// in: the signed token is bound to one person, one activity and one
// answer, and expires when the activity ends. Opening a link changes
// nothing (mail scanners open links): the page shows the answer and a
// button; only the POST records it, and the same answer twice is one.

// replyLinkPage shows the answer of a link, ready to be sent.
func (s *Server) replyLinkPage(c echo.Context) error {
	return s.replyLink(c, false)
}

// replyLinkSubmit records the answer of a link.
func (s *Server) replyLinkSubmit(c echo.Context) error {
	return s.replyLink(c, true)
}

func (s *Server) replyLink(c echo.Context, submit bool) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	key, err := s.store.ServerKey(ctx, models.ReplyLinkKey)
	if err != nil {
		return err
	}
	claim, err := auth.VerifyReplyLink(key, token, s.store.Now())
	if err != nil {
		// Nobody is known yet: the page speaks the browser's language.
		w := replyWordsFor(string(browserLanguage(c)))
		v := replyView{Lang: w.lang, Title: w.invalidTitle, Message: w.invalid}
		status := http.StatusBadRequest
		if errors.Is(err, auth.ErrReplyLinkExpired) {
			v.Title, v.Message, status = w.expiredTitle, w.expired, http.StatusGone
		}
		return renderReply(c, status, v)
	}
	subject, err := s.store.ReplyLinkSubject(ctx, claim.Person, claim.Activity)
	if errors.Is(err, models.ErrNotFound) {
		w := replyWordsFor(string(browserLanguage(c)))
		return renderReply(c, http.StatusNotFound, replyView{Lang: w.lang, Title: w.goneTitle, Message: w.gone})
	}
	if err != nil {
		return err
	}
	w := replyWordsFor(subject.Language)
	v := replyView{Lang: w.lang, Title: w.title, Name: subject.PersonName, Activity: subject.Title,
		When:   w.when(subject),
		Answer: w.answer(claim.PartStat), Current: w.answer(subject.PartStat), Token: token, w: w}
	switch {
	case subject.Cancelled:
		v.Message = w.cancelled
		return renderReply(c, http.StatusConflict, v)
	case subject.NotRecipient:
		v.Message = w.notRecipient
		return renderReply(c, http.StatusForbidden, v)
	case !submit:
		v.Form = true
		return renderReply(c, http.StatusOK, v)
	}
	in := models.ReplyInput{PartStat: claim.PartStat, Comment: strings.TrimSpace(c.FormValue("comment"))}
	if _, err := s.store.ReplyFor(ctx, claim.Person, claim.Activity, in, models.ChannelLink); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			v.Message, v.Form = ve.Error(), true
			return renderReply(c, http.StatusUnprocessableEntity, v)
		}
		return err
	}
	s.nudge() // a required participant's decline tells the lead planners at once
	v.Message, v.Current = w.recorded, v.Answer
	return renderReply(c, http.StatusOK, v)
}

// replyWords are the phrases of the answer page in one language.
type replyWords struct {
	lang, title, intro, current, send, comment, recorded, cancelled, notRecipient string
	invalidTitle, invalid, expiredTitle, expired, goneTitle, gone                 string
	// series follows the first occurrence of a repeating activity, whose
	// every occurrence the answer covers.
	series  string
	answers map[string]string
}

var replyWordsEN = replyWords{lang: "en", title: "Your answer", intro: "Your answer to", current: "Your answer so far:", send: "Send my answer:",
	comment: "Comment (optional)", recorded: "Thank you: your answer is recorded. The planners see it now.",
	cancelled: "The activity has been cancelled; there is nothing to answer.", notRecipient: "You no longer take part in this activity.",
	invalidTitle: "Answer link not valid", invalid: "This answer link is not valid: copy the whole link from the e-mail.",
	expiredTitle: "Answer link expired", expired: "This answer link has expired: the activity is over.",
	goneTitle: "Activity not found", gone: "The activity of this link no longer exists.",
	series:  "the first of a series; the answer covers every occurrence",
	answers: map[string]string{"accepted": "Accept", "tentative": "Tentative", "declined": "Decline", "needs_action": "no answer yet"}}

var replyWordsFR = replyWords{lang: "fr", title: "Votre réponse", intro: "Votre réponse à", current: "Votre réponse jusqu'ici :", send: "Envoyer ma réponse :",
	comment: "Commentaire (facultatif)", recorded: "Merci : votre réponse est enregistrée. Les planificateurs la voient dès maintenant.",
	cancelled: "L'activité est annulée ; il n'y a rien à répondre.", notRecipient: "Vous ne participez plus à cette activité.",
	invalidTitle: "Lien de réponse non valide", invalid: "Ce lien de réponse n'est pas valide : copiez le lien entier depuis le courriel.",
	expiredTitle: "Lien de réponse expiré", expired: "Ce lien de réponse a expiré : l'activité est terminée.",
	goneTitle: "Activité introuvable", gone: "L'activité de ce lien n'existe plus.",
	series:  "la première d'une série ; la réponse vaut pour chaque occurrence",
	answers: map[string]string{"accepted": "Accepter", "tentative": "Provisoire", "declined": "Refuser", "needs_action": "pas encore de réponse"}}

func replyWordsFor(lang string) replyWords {
	if lang == "fr" {
		return replyWordsFR
	}
	return replyWordsEN
}

// when says when the activity takes place, in its own time zone: one day
// with its hours, several days with both ends, all-day activities by their
// days alone (their end is the midnight after the last day).
func (w replyWords) when(s *models.ReplyLinkSubject) string {
	const day, clock = "2006-01-02", "15:04"
	var out string
	switch {
	case s.AllDay:
		last := s.End.AddDate(0, 0, -1)
		out = s.Start.Format(day)
		if last.Format(day) > out {
			out += " – " + last.Format(day)
		}
	case s.Start.Format(day) == s.End.Format(day):
		out = s.Start.Format(day+" "+clock) + "–" + s.End.Format(clock)
	default:
		out = s.Start.Format(day+" "+clock) + " – " + s.End.Format(day+" "+clock)
	}
	out += " (" + s.TimeZone + ")"
	if s.Repeats {
		out += ", " + w.series
	}
	return out
}

func (w replyWords) answer(partstat string) string {
	if a, ok := w.answers[partstat]; ok {
		return a
	}
	return partstat
}

type replyView struct {
	Lang, Title, Message                  string
	Name, Activity, When, Answer, Current string
	Token                                 string
	Form                                  bool
	w                                     replyWords
}

func (v replyView) Intro() string        { return v.w.intro }
func (v replyView) CurrentLabel() string { return v.w.current }
func (v replyView) Send() string         { return v.w.send }
func (v replyView) CommentLabel() string { return v.w.comment }

var replyPage = standalonePage("reply", `<h1>{{.Title}}</h1>
{{if .Activity}}<p>{{.Name}} — {{.Intro}} <strong>{{.Activity}}</strong>, {{.When}}</p>
<p>{{.CurrentLabel}} {{.Current}}</p>{{end}}
{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="/reply/{{.Token}}">
<p><label for="comment">{{.CommentLabel}}</label><br><textarea id="comment" name="comment" rows="3" maxlength="1000"></textarea></p>
<button type="submit">{{.Send}} {{.Answer}}</button>
</form>{{end}}`)

// renderReply writes the answer page as every standalone page is written
// (renderStandalone).
func renderReply(c echo.Context, status int, v replyView) error {
	return renderStandalone(c, status, v.Lang, replyPage, v)
}
