package storage

import (
	"encoding/json"

	"github.com/jointcal/jointcal/models"
)

func jsonMarshal(v any) (models.RawJSON, error) {
	b, err := json.Marshal(v)
	return models.RawJSON(b), err
}

func jsonUnmarshal(b models.RawJSON, v any) error { return json.Unmarshal(b, v) }
