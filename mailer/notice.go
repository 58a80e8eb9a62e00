package mailer

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"dbcollab/store"
)

// Notice writes a short notification: one sentence, and a link to where to look.
func Notice(to, subject, sentence, link string) store.Email {
	text := fmt.Sprintf("Hello,\n\n%s\n\n%s\n\n-- \ndbcollab\n", sentence, link)
	var html bytes.Buffer
	if err := noticeHTML(sentence, link).Render(context.Background(), &html); err != nil {
		panic(fmt.Sprintf("mailer: render notice: %v", err))
	}
	return store.Email{To: to, Subject: subject, Text: text, HTML: html.String()}
}

// AcceptedNotice tells the inviter or the owner that an invitation was accepted.
func AcceptedNotice(to, databaseName, who, link string) store.Email {
	return Notice(to, fmt.Sprintf("%s now collaborates on %s", who, databaseName),
		fmt.Sprintf("%s accepted the invitation and now collaborates on %s.", who, databaseName), link)
}

// LeftNotice tells the owner that a collaborator stopped collaborating, and which of
// the invitations they had sent were cancelled with their departure.
func LeftNotice(to, databaseName, who string, cancelled []string, link string) store.Email {
	sentence := fmt.Sprintf("%s stopped collaborating on %s and no longer has access to it.", who, databaseName)
	if len(cancelled) > 0 {
		sentence += fmt.Sprintf(" The pending invitations they had sent were cancelled: %s.", strings.Join(cancelled, ", "))
	}
	return Notice(to, fmt.Sprintf("%s stopped collaborating on %s", who, databaseName), sentence, link)
}

// RevokedNotice tells someone that their access was revoked, or their pending
// invitation cancelled, and by whom.
func RevokedNotice(to, databaseName, actor string, wasPending bool, link string) store.Email {
	if wasPending {
		return Notice(to, fmt.Sprintf("Your invitation to %s was cancelled", databaseName),
			fmt.Sprintf("%s cancelled your invitation to collaborate on %s; its link no longer works.", actor, databaseName), link)
	}
	return Notice(to, fmt.Sprintf("Your access to %s was revoked", databaseName),
		fmt.Sprintf("%s revoked your access to %s; you no longer collaborate on it.", actor, databaseName), link)
}

// ConfirmationNotice asks whoever reads the address to confirm a sign-up with it.
func ConfirmationNotice(to, username, link string) store.Email {
	return Notice(to, "Confirm your e-mail address for dbcollab",
		fmt.Sprintf("Someone, hopefully you, signed up to dbcollab as %s with this address. Open this link within 24 hours to confirm it; if it was not you, ignore this e-mail and the account stays unusable.", username), link)
}

// AccountExistsNotice tells the owner of an account that someone signed up with its address.
func AccountExistsNotice(to, username, link string) store.Email {
	return Notice(to, "You already have a dbcollab account",
		fmt.Sprintf("Someone, hopefully you, tried to sign up to dbcollab with this address, which already has an account (username %s). Log in instead; if it was not you, ignore this e-mail: nothing changed.", username), link)
}

// OwnershipNotice tells the new owner that a database is now theirs, or (ours true) its
// old owner that they handed it over: a receipt for an act they cannot undo alone.
func OwnershipNotice(to, databaseName, from, newOwner string, ours bool, link string) store.Email {
	if ours {
		return Notice(to, fmt.Sprintf("You transferred %s to %s", databaseName, newOwner),
			fmt.Sprintf("You made %s the owner of %s; you now collaborate on it. Only %s can transfer it again.", newOwner, databaseName, newOwner), link)
	}
	return Notice(to, fmt.Sprintf("You are now the owner of %s", databaseName),
		fmt.Sprintf("%s made you the owner of %s; they now collaborate on it.", from, databaseName), link)
}

// DatabaseDeletedNotice tells a collaborator that the owner, who, deleted a database, or
// (ours true) gives the owner a receipt, as for a transfer: a deletion by a stolen
// session is learnt of at once.
func DatabaseDeletedNotice(to, databaseName, who string, ours bool, link string) store.Email {
	if ours {
		return Notice(to, fmt.Sprintf("You deleted %s", databaseName),
			fmt.Sprintf("You deleted the database %s; its collaborators were told and no longer have access to it.", databaseName), link)
	}
	return Notice(to, fmt.Sprintf("%s was deleted", databaseName),
		fmt.Sprintf("%s deleted the database %s; you no longer have access to it.", who, databaseName), link)
}
