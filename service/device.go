package service

import "strings"

// A device label names a session on the account page ("Firefox on Linux"). It is read
// from the User-Agent, which the client writes: only names from the lists below come
// out of it, never the header's own text.
var (
	// browsers is checked in order: Edge and Opera also say Chrome, Chrome also says Safari.
	browsers = []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"},
		{"Chromium/", "Chromium"}, {"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client/", "Go HTTP client"},
	}
	// systems is checked in order: Android also says Linux, iOS also says Mac OS X.
	systems = []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	}
)

// UnknownDevice labels a session whose User-Agent names nothing we know.
const UnknownDevice = "Unknown device"

// DeviceLabel names the browser and system a User-Agent says it is.
func DeviceLabel(userAgent string) string {
	browser, system := "", ""
	for _, b := range browsers {
		if strings.Contains(userAgent, b.token) {
			browser = b.name
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(userAgent, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " on " + system
	case browser != "":
		return browser
	case system != "":
		return "Browser on " + system
	}
	return UnknownDevice
}
