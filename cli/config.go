package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultAPIURL is where login looks for the API unless told otherwise.
const DefaultAPIURL = "http://localhost:8080"

// Credentials say which API the commands talk to, and as whom. They are stored in
// auth.json by login, and DBCOLLAB_API_URL and DBCOLLAB_API_TOKEN override them.
type Credentials struct {
	APIURL string `json:"api_url"`
	Token  string `json:"token"`
}

// authPath is $XDG_CONFIG_HOME/dbcollab/auth.json, or ~/.config/dbcollab/auth.json when
// XDG_CONFIG_HOME is unset or relative (the XDG spec says to ignore a relative one).
func authPath() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("Cannot tell where to keep the credentials: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "dbcollab", "auth.json"), nil
}

// loadCredentials reads auth.json and applies the environment over it. A missing file is
// not an error: the token is then empty, unless DBCOLLAB_API_TOKEN gives one.
func loadCredentials() (Credentials, error) {
	c, _, err := credentialsFile()
	if err != nil {
		return c, err
	}
	if v := os.Getenv("DBCOLLAB_API_URL"); v != "" {
		c.APIURL = v
	}
	if v := os.Getenv("DBCOLLAB_API_TOKEN"); v != "" {
		c.Token = v
	}
	c.APIURL, err = parseAPIURL(c.APIURL)
	return c, err
}

// credentialsFile reads auth.json alone, and says whether there is one.
func credentialsFile() (c Credentials, exists bool, err error) {
	path, err := authPath()
	if err != nil {
		return c, false, err
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return c, false, nil
	case err != nil:
		return c, true, fmt.Errorf("Cannot read the credentials: %w", err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, true, fmt.Errorf("Cannot read the credentials in %s (%v): run dbcollab login again", path, err)
	}
	return c, true, nil
}

// saveCredentials writes auth.json readable by its owner only (directory 0700, file
// 0600). It writes a temporary file and renames it over the old one, so that a crash
// leaves either the old credentials or the new ones, never half a file.
func saveCredentials(c Credentials) (string, error) {
	path, err := authPath()
	if err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("Cannot save the credentials: %w", err)
	}
	// CreateTemp makes the file 0600 from the start: the token is never readable by others.
	tmp, err := os.CreateTemp(dir, ".auth-*.json")
	if err != nil {
		return "", fmt.Errorf("Cannot save the credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return "", fmt.Errorf("Cannot save the credentials in %s: %w", path, err)
	}
	return path, nil
}

// deleteCredentials removes auth.json and says whether there was one.
func deleteCredentials() (path string, existed bool, err error) {
	if path, err = authPath(); err != nil {
		return "", false, err
	}
	err = os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, false, nil
	}
	if err != nil {
		return path, false, fmt.Errorf("Cannot delete the credentials: %w", err)
	}
	return path, true, nil
}
