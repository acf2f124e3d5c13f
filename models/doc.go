// Package models says what jointcal's data is: the domain types with their
// typed enums (kinds, statuses, roles, resource types), the inputs the API
// and the pages decode with their validation, the views they answer with,
// the actor and what it may do, and the column types GORM stores. It holds
// no queries: package storage keeps the data (as miniflux keeps
// internal/model beside internal/storage), so this package can be read,
// and tested, without a database.
package models
