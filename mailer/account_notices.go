package mailer

import (
	"fmt"

	"dbcollab/store"
)

// PasswordResetNotice carries a password reset link.
func PasswordResetNotice(to, username, link string) store.Email {
	return Notice(to, "Reset your dbcollab password",
		fmt.Sprintf("Someone, hopefully you, asked to reset the password of the dbcollab account %s. Open this link within 1 hour to choose a new one; it works once. If it was not you, ignore this e-mail: your password stays as it is.", username), link)
}

// EmailChangeLinkNotice asks whoever reads the new address to confirm an account's move to it.
func EmailChangeLinkNotice(to, username, link string) store.Email {
	return Notice(to, "Confirm your new e-mail address for dbcollab",
		fmt.Sprintf("The dbcollab account %s asked to use this address from now on. Open this link within 24 hours to confirm it; until then the account keeps its current address. If it was not you, ignore this e-mail.", username), link)
}

// EmailTakenNotice tells the new address that the change asked for cannot be made: it
// already has an account. Only its mailbox learns it, as with a sign-up.
func EmailTakenNotice(to, username, link string) store.Email {
	return Notice(to, "This address already has a dbcollab account",
		fmt.Sprintf("The dbcollab account %s asked to use this address, but another account already uses it, so nothing changed. If that other account is yours, log in to it instead.", username), link)
}

// EmailChangeRequestedNotice tells the current address that a move to newEmail awaits
// its confirmation.
func EmailChangeRequestedNotice(to, username, newEmail, link string) store.Email {
	return Notice(to, "Your dbcollab e-mail address is about to change",
		fmt.Sprintf("The dbcollab account %s asked to use %s instead of this address. It changes only once the link e-mailed there is followed. If it was not you, change your password now.", username, newEmail), link)
}

// EmailChangedNotice tells the old address that the account now uses newEmail.
func EmailChangedNotice(to, username, newEmail, link string) store.Email {
	return Notice(to, "Your dbcollab e-mail address has changed",
		fmt.Sprintf("The dbcollab account %s now uses %s instead of this address. If it was not you, someone else can use your account: tell the administrator of this dbcollab server at once.", username, newEmail), link)
}
