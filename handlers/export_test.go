package handlers

// DropCachedTabs empties the cache of finished Collaborators tabs, so that the next view
// is made afresh whatever was written.
func (s *Server) DropCachedTabs() {
	s.collaboratorsCache.mu.Lock()
	defer s.collaboratorsCache.mu.Unlock()
	s.collaboratorsCache.entries, s.collaboratorsCache.size = nil, 0
}

// PretendCachedTabsCurrent makes every cached tab look current at version, as a cache
// gone wrong would: tests prove that authorization does not rest on the cache.
func (s *Server) PretendCachedTabsCurrent(version int64) {
	s.collaboratorsCache.mu.Lock()
	defer s.collaboratorsCache.mu.Unlock()
	for k, a := range s.collaboratorsCache.entries {
		a.version = version
		s.collaboratorsCache.entries[k] = a
	}
}
