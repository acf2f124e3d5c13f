package storage

import (
	"fmt"
	"strconv"

	"github.com/jointcal/jointcal/models"
	"github.com/jointcal/jointcal/planning"
	"gorm.io/gorm"
)

// nameCache resolves resource ids to codes and names once per request.
type nameCache struct {
	tx    *gorm.DB
	cache map[string]models.ResourceView
}

func newNameCache(tx *gorm.DB) *nameCache {
	return &nameCache{tx: tx, cache: map[string]models.ResourceView{}}
}

// nameTables maps a resource type to its table and the column shown as
// its code (people are known by their e-mail address).
var nameTables = map[string][2]string{"person": {"people", "email"}, "body": {"bodies", "code"}, "venue": {"venues", "code"}, "organization": {"organizations", "code"}}

// prefetch loads the names of many resources with one query per type.
func (n *nameCache) prefetch(refs []planning.ResourceRef) error {
	byType := map[string][]int64{}
	for _, r := range refs {
		key := string(r.Type) + ":" + strconv.FormatInt(r.ID, 10)
		if _, ok := n.cache[key]; !ok {
			byType[string(r.Type)] = append(byType[string(r.Type)], r.ID)
		}
	}
	for typ, ids := range byType {
		t, ok := nameTables[typ]
		if !ok {
			continue
		}
		if err := n.prefetchTable(typ, t[0], t[1], ids); err != nil {
			return fmt.Errorf("prefetch %s names: %w", typ, err)
		}
	}
	return nil
}

// prefetchTable reads the codes and names of ids from one table, the ids
// passed as one array parameter (idArray): the statement's text is the
// same for any number of ids, so it stays compiled, where an IN list of
// hundreds of placeholders was parsed and planned again on every agenda
// page.
func (n *nameCache) prefetchTable(typ, table, codeColumn string, ids []int64) error {
	dialect := dialectOf(n.tx)
	rows, err := n.tx.Raw("SELECT id, "+codeColumn+" AS code, name FROM "+table+" WHERE "+inIDsOf(dialect, "id"), idArrayOf(dialect, ids)).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r := models.ResourceView{Type: typ}
		if err := rows.Scan(&r.ID, &r.Code, &r.Name); err != nil {
			return err
		}
		n.cache[typ+":"+strconv.FormatInt(r.ID, 10)] = r
	}
	return rows.Err()
}

// add caches resources already read (a draft's named ones).
func (n *nameCache) add(rs []models.ResourceView) {
	for _, r := range rs {
		n.cache[r.Type+":"+strconv.FormatInt(r.ID, 10)] = r
	}
}

func (n *nameCache) resource(typ string, id int64) (models.ResourceView, error) {
	key := typ + ":" + strconv.FormatInt(id, 10)
	if r, ok := n.cache[key]; ok {
		return r, nil
	}
	r := models.ResourceView{Type: typ, ID: id}
	var row struct {
		Code string
		Name string
	}
	var err error
	switch typ {
	case "person":
		err = n.tx.Table("people").Select("email AS code, name").Where("id = ?", id).Scan(&row).Error
	case "body":
		err = n.tx.Table("bodies").Select("code, name").Where("id = ?", id).Scan(&row).Error
	case "venue":
		err = n.tx.Table("venues").Select("code, name").Where("id = ?", id).Scan(&row).Error
	case "organization":
		err = n.tx.Table("organizations").Select("code, name").Where("id = ?", id).Scan(&row).Error
	}
	if err != nil {
		return r, err
	}
	r.Code, r.Name = row.Code, row.Name
	n.cache[key] = r
	return r, nil
}
