package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCredentialsLiveUnderHomeConfigWithoutAnAbsoluteXDGConfigHome(t *testing.T) {
	for _, xdg := range []string{"", "relative/config"} {
		t.Run(xdg, func(t *testing.T) {
			newTerminal(t)
			t.Setenv("XDG_CONFIG_HOME", xdg)
			path, err := saveCredentials(Credentials{APIURL: DefaultAPIURL, Token: "t"})
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(os.Getenv("HOME"), ".config", "dbcollab", "auth.json"); path != want {
				t.Errorf("saved in %s, want %s", path, want)
			}
		})
	}
}

func TestUnreadableCredentialsSayToLogInAgain(t *testing.T) {
	newTerminal(t)
	path := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "dbcollab", "auth.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, run(t, "", "--database", demoDatabaseName, "collaborators"), 1,
		" !     Cannot read the credentials in "+path+" (invalid character 'n' looking for beginning of object key string): run dbcollab login again\n")
}

func TestCredentialsWithoutAnAPIURLUseTheDefault(t *testing.T) {
	newTerminal(t)
	t.Setenv("DBCOLLAB_API_TOKEN", "t")
	c, err := loadCredentials()
	if err != nil || c != (Credentials{APIURL: DefaultAPIURL, Token: "t"}) {
		t.Errorf("got %+v, %v", c, err)
	}
}

func TestAnAPIURLFromTheEnvironmentMustBeHTTP(t *testing.T) {
	newTerminal(t)
	t.Setenv("DBCOLLAB_API_URL", "localhost:8080")
	t.Setenv("DBCOLLAB_API_TOKEN", "t")
	wantFailure(t, run(t, "", "--database", demoDatabaseName, "collaborators"), 1,
		" !     The API URL must be an http:// or https:// URL, like http://localhost:8080, not \"localhost:8080\"\n")
}
