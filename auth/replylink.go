package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReplyClaim is what an answer link in an invitation stands for: this
// person answers this activity so, until then. It needs no sign-in: the
// signature is the proof, and it is bound to one person, one activity and
// one answer, so a forwarded e-mail can at worst give the answer its owner
// was offered.
type ReplyClaim struct {
	Person, Activity int64
	PartStat         string
	Until            time.Time
}

// Errors of VerifyReplyLink.
var (
	ErrReplyLinkInvalid = errors.New("the answer link is not valid: copy the whole link from the e-mail")
	ErrReplyLinkExpired = errors.New("the answer link has expired: the activity is over")
)

// replyLinkVersion starts the signed text, so that the format can change
// without an old link being read as a new one.
const replyLinkVersion = "r1"

// SignReplyLink writes the token of an answer link: the claim in clear
// (it holds only ids) and its HMAC-SHA256 under key, URL-safe.
func SignReplyLink(key []byte, c ReplyClaim) string {
	payload := fmt.Sprintf("%s.%d.%d.%s.%d", replyLinkVersion, c.Person, c.Activity, c.PartStat, c.Until.Unix())
	return payload + "." + base64.RawURLEncoding.EncodeToString(replyMAC(key, payload))
}

// VerifyReplyLink checks a token's signature and expiry at now and
// returns its claim.
func VerifyReplyLink(key []byte, token string, now time.Time) (ReplyClaim, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return ReplyClaim{}, ErrReplyLinkInvalid
	}
	payload, sig := token[:i], token[i+1:]
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, replyMAC(key, payload)) {
		return ReplyClaim{}, ErrReplyLinkInvalid
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 5 || parts[0] != replyLinkVersion {
		return ReplyClaim{}, ErrReplyLinkInvalid
	}
	person, err1 := strconv.ParseInt(parts[1], 10, 64)
	activity, err2 := strconv.ParseInt(parts[2], 10, 64)
	until, err3 := strconv.ParseInt(parts[4], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return ReplyClaim{}, ErrReplyLinkInvalid
	}
	c := ReplyClaim{Person: person, Activity: activity, PartStat: parts[3], Until: time.Unix(until, 0).UTC()}
	if !now.Before(c.Until) {
		return c, ErrReplyLinkExpired
	}
	return c, nil
}

func replyMAC(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("jointcal reply link\x00"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}
