// Package storage keeps jointcal's data: the Store, every query and
// transaction (one file per entity), the one visibility function through
// which every reference is resolved, booking (load the neighbouring
// occupancy, let package planning decide, write activity, occurrences,
// audit and outbox rows in one transaction), the outbox of notices,
// import, and the versioned SQL migrations. Other packages never write
// SQL; they call the Store, with the types of package models.
package storage
