package views

import (
	"strconv"
	"time"

	"dbcollab/store"
)

// A row says when: "joined 12 Nov 2026", "invited by user1 · 2 days ago · expires in 5
// days", "expired 3 days ago". Relative phrases are coarse (minutes, hours, then days)
// and rowsCurrentUntil says when the first of them changes, so that a page kept by the
// tab's cache is dropped when it would show another phrase than a fresh one.

// appendRowWhen appends what row m says of its dates at now; nothing for the owner's
// row.
func appendRowWhen(b []byte, m *store.Collaborator, now time.Time) []byte {
	switch m.Status {
	case store.StatusAccepted:
		if m.AcceptedAt.IsZero() {
			return b
		}
		return m.AcceptedAt.UTC().AppendFormat(append(b, "joined "...), "2 Jan 2006")
	case store.StatusPending:
		b = append(b, "invited "...)
		if m.InviterName != "" {
			b = append(append(append(b, "by "...), m.InviterName...), " · "...)
		}
		b = appendAgo(b, now.Sub(m.InvitedAt))
		return appendWithin(append(b, " · expires in "...), m.ExpiresAt.Sub(now))
	case store.StatusExpired:
		return appendAgo(append(b, "expired "...), now.Sub(m.ExpiresAt))
	}
	return b
}

// appendAgo words a time d in the past: whole minutes, hours or days, rounded down.
func appendAgo(b []byte, d time.Duration) []byte {
	if d < time.Minute {
		return append(b, "just now"...)
	}
	u := agoUnit(d)
	return append(appendCount(b, int(d/u.length), u.name), " ago"...)
}

// appendWithin words a time d > 0 ahead: whole minutes, hours or days, rounded up, so
// that a link sent just now "expires in 7 days".
func appendWithin(b []byte, d time.Duration) []byte {
	u := withinUnit(d)
	return appendCount(b, int((d+u.length-1)/u.length), u.name)
}

type unit struct {
	length time.Duration
	name   string
}

var (
	minute = unit{time.Minute, "minute"}
	hour   = unit{time.Hour, "hour"}
	day    = unit{24 * time.Hour, "day"}
)

func agoUnit(d time.Duration) unit {
	switch {
	case d < time.Hour:
		return minute
	case d < 24*time.Hour:
		return hour
	}
	return day
}

func withinUnit(d time.Duration) unit {
	switch {
	case d <= time.Hour:
		return minute
	case d <= 24*time.Hour:
		return hour
	}
	return day
}

func appendCount(b []byte, n int, name string) []byte {
	b = append(strconv.AppendInt(b, int64(n), 10), ' ')
	b = append(b, name...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}

// agoChanges is when appendAgo(now - t) next says something else.
func agoChanges(t, now time.Time) time.Time {
	d := now.Sub(t)
	if d < 0 {
		return t.Add(time.Minute)
	}
	u := agoUnit(d)
	return t.Add((d/u.length + 1) * u.length)
}

// withinChanges is when appendWithin(t - now) next says something else (t itself, for the
// last minute: the row is then expired).
func withinChanges(t, now time.Time) time.Time {
	d := t.Sub(now)
	if d <= 0 {
		return now
	}
	u := withinUnit(d)
	k := (d + u.length - 1) / u.length
	return t.Add(-(k - 1) * u.length)
}

// RowsCurrentUntil is the first time after now when one of rows would say something
// else than at now: a relative phrase changes, or a pending row expires. Zero if never.
func RowsCurrentUntil(rows []store.Collaborator, now time.Time) time.Time {
	var first time.Time
	keep := func(t time.Time) {
		if first.IsZero() || t.Before(first) {
			first = t
		}
	}
	for _, m := range rows {
		switch m.Status {
		case store.StatusPending:
			keep(agoChanges(m.InvitedAt, now))
			keep(withinChanges(m.ExpiresAt, now))
		case store.StatusExpired:
			keep(agoChanges(m.ExpiresAt, now))
		}
	}
	return first
}
