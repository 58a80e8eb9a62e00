// Package e2e tests dbcollab from the outside: it builds the real binary, serves it on a
// loopback port with a real SMTP server as its mail sink, and drives headless Chromium
// through the collaborators flow as a person would, with JavaScript on and off.
//
// Run it with `go test ./e2e/`. Set E2E_SCREENSHOTS to a directory to keep the
// screenshots of each step (by default they go to the test's temporary directory), and
// UPDATE_SCREENSHOT=1 to refresh docs/collaborators.png, the README's screenshot.
package e2e
