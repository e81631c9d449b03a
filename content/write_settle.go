package content

// settleEvery is how many records (services, locations, organizations) a
// batch writes between two settles.
const settleEvery = 5000

// wrote counts a record written, and settles the batch every settleEvery
// records.
func (b *Batch) wrote() error {
	b.pending++
	limit := b.settleAt
	if limit == 0 {
		limit = settleEvery
	}
	if b.pending < limit {
		return nil
	}
	return b.settle()
}

// settle brings the search rows of what the batch has written so far up
// to date, as the commit would, and forgets the per-record bookkeeping
// that tells which rows to rebuild (the IDs written, when each location
// and organization was written): a write of any size then holds a bounded
// amount in memory. What is written after is checked against the database
// again, so a service whose location is written once more later is still
// rebuilt. After commit the in-memory index is reloaded whole, as for any
// write of more than 5000 services.
func (b *Batch) settle() error {
	affected, err := b.servicesSharingLocations()
	if err != nil {
		return err
	}
	for _, id := range affected {
		if b.searchCurrent(id) {
			continue
		}
		if err := b.indexText(id); err != nil {
			return err
		}
	}
	b.services, b.written, b.orgs = nil, nil, nil
	b.docIndexed, b.orgTexts, b.locWritten, b.orgWritten = nil, nil, nil, nil
	b.locs = nil
	b.pending, b.settled = 0, true
	return nil
}
