package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// serverKey is one signing key of the service.
type serverKey struct {
	Name      string `gorm:"primaryKey"`
	Secret    string
	CreatedAt time.Time
}

func (serverKey) TableName() string { return "server_keys" }

// ServerKey returns the signing key called name, making it (32 random
// bytes) the first time it is asked for. Two instances asking at once
// agree: the first insert wins and both read it back.
func (s *Store) ServerKey(ctx context.Context, name string) ([]byte, error) {
	db := s.db.WithContext(ctx)
	var keys []serverKey
	if err := db.Where("name = ?", name).Limit(1).Find(&keys).Error; err != nil {
		return nil, fmt.Errorf("load server key %s: %w", name, err)
	}
	if len(keys) == 0 {
		var raw [32]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return nil, fmt.Errorf("make server key %s: %w", name, err)
		}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&serverKey{Name: name, Secret: hex.EncodeToString(raw[:]), CreatedAt: s.now()}).Error; err != nil {
			return nil, fmt.Errorf("store server key %s: %w", name, err)
		}
		if err := db.Where("name = ?", name).Limit(1).Find(&keys).Error; err != nil || len(keys) == 0 {
			return nil, fmt.Errorf("load server key %s: %v", name, err)
		}
	}
	k := keys[0]
	key, err := hex.DecodeString(k.Secret)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("server key %s is damaged", name)
	}
	return key, nil
}
