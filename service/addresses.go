package service

import (
	"fmt"
	"strings"
)

// MaxInvitesAtOnce is how many addresses the Add form takes in one post: enough for a
// team, few enough that one post cannot spend a whole invitation allowance by mistake.
const MaxInvitesAtOnce = 20

// SplitAddresses splits what was typed in the Add form's Email field into the addresses
// to invite, in order, each once (compared without case). Commas, spaces and line breaks
// separate them; each is validated later, on its own, by Invite. More than
// MaxInvitesAtOnce is refused as a whole, so that nothing is invited.
func SplitAddresses(typed string) ([]string, error) {
	var addresses []string
	seen := map[string]bool{}
	for _, a := range strings.FieldsFunc(typed, isAddressSeparator) {
		if key := strings.ToLower(a); !seen[key] {
			seen[key] = true
			addresses = append(addresses, a)
		}
	}
	if len(addresses) > MaxInvitesAtOnce {
		return nil, invalid("email", fmt.Sprintf("Enter at most %d addresses at once (you entered %d)", MaxInvitesAtOnce, len(addresses)))
	}
	return addresses, nil
}

func isAddressSeparator(r rune) bool {
	switch r {
	case ',', ' ', '\t', '\n', '\r', '\f', '\v':
		return true
	}
	return false
}
