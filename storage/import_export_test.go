package storage

import (
	"context"

	"github.com/jointcal/jointcal/calendar"
	"github.com/jointcal/jointcal/models"
)

// ImportChunked is Import in transactions of chunk events; oneByOne
// writes every new activity alone through the booking path, as imports
// were written before the batches: the reference
// TestImportBatchesWriteWhatOneByOneWrites compares them with.
func (s *Store) ImportChunked(ctx context.Context, a models.Actor, parsed *calendar.ImportResult, opts models.ImportOptions, chunk int, oneByOne bool) (*models.ImportReport, error) {
	return s.importWith(ctx, a, parsed, opts, importTuning{chunk: chunk, oneByOne: oneByOne})
}
