package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestReplyLinks(t *testing.T) {
	t.Parallel()
	key := []byte(strings.Repeat("k", 32))
	now := time.Date(2031, 3, 4, 9, 0, 0, 0, time.UTC)
	c := ReplyClaim{Person: 7, Activity: 42, PartStat: "accepted", Until: now.Add(time.Hour)}
	tok := SignReplyLink(key, c)
	got, err := VerifyReplyLink(key, tok, now)
	if err != nil || got != c {
		t.Fatalf("VerifyReplyLink = %+v, %v; want %+v", got, err, c)
	}
	if _, err := VerifyReplyLink(key, tok, now.Add(time.Hour)); !errors.Is(err, ErrReplyLinkExpired) {
		t.Errorf("at the end: %v, want expired", err)
	}
	for name, bad := range map[string]string{
		"other key":    SignReplyLink([]byte(strings.Repeat("x", 32)), c),
		"other answer": strings.Replace(tok, ".accepted.", ".declined.", 1),
		"other person": strings.Replace(tok, "r1.7.", "r1.8.", 1),
		"later expiry": strings.Replace(tok, ".42.accepted.", ".42.accepted.9", 1),
		"no signature": tok[:strings.LastIndexByte(tok, '.')],
		"truncated":    tok[:len(tok)-3],
		"empty":        "",
		"garbage":      "r1.a.b.c.d.e",
	} {
		if _, err := VerifyReplyLink(key, bad, now); !errors.Is(err, ErrReplyLinkInvalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}
