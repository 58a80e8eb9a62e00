package store

import (
	"reflect"
	"strings"
	"testing"
)

// TestOnlyWriteTxWrites keeps writes behind Store.Tx: no method reachable outside a
// transaction (Store's and Conn's) is named like a write; WriteTx has them all.
func TestOnlyWriteTxWrites(t *testing.T) {
	verbs := []string{"Insert", "Create", "Delete", "Update", "Mark", "Touch", "Accept", "End",
		"Replace", "Enqueue", "Retry", "Cancel", "Purge", "Clear", "Set", "Record", "Revoke"}
	isWrite := func(name string) bool {
		for _, v := range verbs {
			if strings.HasPrefix(name, v) {
				return true
			}
		}
		return false
	}
	outside := reflect.TypeFor[*Store]()
	for i := range outside.NumMethod() {
		if name := outside.Method(i).Name; isWrite(name) && name != "SettingOrCreate" {
			t.Errorf("Store.%s writes outside a transaction: give it a WriteTx receiver", name)
		}
	}
	inside := reflect.TypeFor[WriteTx]()
	var writes int
	for i := range inside.NumMethod() {
		if isWrite(inside.Method(i).Name) {
			writes++
		}
	}
	if writes == 0 {
		t.Error("WriteTx has no write method")
	}
}
