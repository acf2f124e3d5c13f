package storage_test

import (
	"errors"
	"testing"

	"github.com/jointcal/jointcal/models"
)

func TestRequireAdminAdmitsOnlyAdministrators(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		role models.Role
		ok   bool
	}{{models.RoleAdmin, true}, {models.RolePlanner, false}, {models.RoleViewer, false}, {"", false}} {
		err := models.Actor{Role: tc.role, PersonID: 1}.RequireAdmin()
		var fe *models.ForbiddenError
		if tc.ok != (err == nil) || (!tc.ok && !errors.As(err, &fe)) {
			t.Errorf("%q: %v", tc.role, err)
		}
	}
}
