package service

import "time"

// recency is a map whose entries are also kept in the order they were last touched, so
// that the stalest one is always at hand: making room or dropping an expired entry
// never scans the map, and each call does a bounded amount of work under the lock.
type recency[V any] struct {
	entries map[throttleID]*recent[V]
	// oldest and newest are the ends of the list, in the order of at.
	oldest, newest *recent[V]
}

type recent[V any] struct {
	key        throttleID
	at         time.Time
	v          V
	prev, next *recent[V]
}

// expiredPerAdd is how many expired entries each add drops: more than the one it adds,
// so that expired entries never pile up, and few enough to bound the time under the lock.
const expiredPerAdd = 2

// get returns key's entry, or nil when there is none or it was last touched ttl ago.
func (r *recency[V]) get(key throttleID, now time.Time, ttl time.Duration) *recent[V] {
	e := r.entries[key]
	if e == nil || now.Sub(e.at) >= ttl {
		return nil
	}
	return e
}

// add stores a new entry for key (replacing an expired one), after dropping up to
// expiredPerAdd expired entries and, when limit entries remain, the oldest.
func (r *recency[V]) add(key throttleID, now time.Time, ttl time.Duration, limit int) *recent[V] {
	r.remove(key)
	for range expiredPerAdd {
		if r.oldest == nil || now.Sub(r.oldest.at) < ttl {
			break
		}
		r.remove(r.oldest.key)
	}
	if len(r.entries) >= limit {
		r.remove(r.oldest.key)
	}
	if r.entries == nil {
		r.entries = map[throttleID]*recent[V]{}
	}
	e := &recent[V]{key: key, at: now}
	r.entries[key] = e
	r.append(e)
	return e
}

// touch records that e was used at now, making it the newest.
func (r *recency[V]) touch(e *recent[V], now time.Time) {
	e.at = now
	if r.newest != e {
		r.unlink(e)
		r.append(e)
	}
}

// remove deletes key's entry, if any.
func (r *recency[V]) remove(key throttleID) {
	if e := r.entries[key]; e != nil {
		r.unlink(e)
		delete(r.entries, key)
	}
}

func (r *recency[V]) append(e *recent[V]) {
	e.prev, e.next = r.newest, nil
	if r.newest != nil {
		r.newest.next = e
	} else {
		r.oldest = e
	}
	r.newest = e
}

func (r *recency[V]) unlink(e *recent[V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		r.oldest = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		r.newest = e.prev
	}
	e.prev, e.next = nil, nil
}
