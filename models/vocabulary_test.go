package models

import "testing"

// TestVocabularyLists: the lists the API accepts are complete, without
// duplicates, and a fresh copy each time (no caller can change them).
func TestVocabularyLists(t *testing.T) {
	t.Parallel()
	for name, list := range map[string][]string{
		"kinds": EnumNames(Kinds()), "statuses": EnumNames(Statuses()), "formats": EnumNames(Formats()),
		"roles": EnumNames(ParticipantRoles()), "rsvps": EnumNames(RSVPs()),
		"proposal states": EnumNames(ProposalStates()), "briefing states": EnumNames(BriefingStates()),
	} {
		seen := map[string]bool{}
		for _, v := range list {
			if v == "" || seen[v] {
				t.Errorf("%s: %q empty or repeated", name, v)
			}
			seen[v] = true
		}
	}
	if n := len(Kinds()); n != 11 {
		t.Fatalf("%d kinds, the domain names 11", n)
	}
	k := Kinds()
	k[0] = "changed"
	if Kinds()[0] != KindMeeting || !KindTabletop.Valid() || Kind("exercize").Valid() {
		t.Fatal("the kinds can be changed by a caller, or Valid is wrong")
	}
}
