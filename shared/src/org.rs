//! The organisation hierarchy: region → (inter-municipal district) → municipality → school.

use uuid::Uuid;

domain_enum! {
    /// A level of the hierarchy. A region is also the tenant.
    pub enum UnitKind {
        Region => ("region", "Регион"),
        District => ("district", "Межмуниципальный методический округ"),
        Municipality => ("municipality", "Муниципалитет"),
        School => ("school", "Образовательная организация"),
    }
}

impl UnitKind {
    /// The kinds a unit of this kind may sit under directly.
    pub const fn allowed_parents(self) -> &'static [UnitKind] {
        match self {
            UnitKind::Region => &[],
            UnitKind::District => &[UnitKind::Region],
            UnitKind::Municipality => &[UnitKind::Region, UnitKind::District],
            UnitKind::School => &[UnitKind::Municipality],
        }
    }
}

/// Where something sits in the hierarchy: every ancestor is known, so a scope check is a
/// comparison and never a tree walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitPath {
    pub region: Uuid,
    pub district: Option<Uuid>,
    pub municipality: Option<Uuid>,
    pub school: Option<Uuid>,
}

impl UnitPath {
    pub const fn region(region: Uuid) -> Self {
        Self {
            region,
            district: None,
            municipality: None,
            school: None,
        }
    }

    /// The id of this path's ancestor at `kind`, if the path reaches that deep.
    pub fn at(&self, kind: UnitKind) -> Option<Uuid> {
        match kind {
            UnitKind::Region => Some(self.region),
            UnitKind::District => self.district,
            UnitKind::Municipality => self.municipality,
            UnitKind::School => self.school,
        }
    }

    /// The kind of the deepest unit on the path.
    pub fn kind(&self) -> UnitKind {
        if self.school.is_some() {
            UnitKind::School
        } else if self.municipality.is_some() {
            UnitKind::Municipality
        } else if self.district.is_some() {
            UnitKind::District
        } else {
            UnitKind::Region
        }
    }

    /// The id of the deepest unit on the path.
    pub fn leaf(&self) -> Uuid {
        self.at(self.kind()).unwrap_or(self.region)
    }

    /// Whether the unit `(kind, id)` is this path's leaf or one of its ancestors.
    pub fn is_within(&self, kind: UnitKind, id: Uuid) -> bool {
        self.at(kind) == Some(id)
    }

    /// Whether `other` lies in the subtree rooted at this path's leaf.
    pub fn contains(&self, other: &UnitPath) -> bool {
        other.is_within(self.kind(), self.leaf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (Uuid, Uuid, Uuid, Uuid) {
        (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(4),
        )
    }

    #[test]
    fn a_school_path_is_within_each_of_its_ancestors_and_no_other_unit() {
        let (r, d, m, s) = ids();
        let school = UnitPath {
            region: r,
            district: Some(d),
            municipality: Some(m),
            school: Some(s),
        };
        assert!(school.is_within(UnitKind::Region, r));
        assert!(school.is_within(UnitKind::District, d));
        assert!(school.is_within(UnitKind::Municipality, m));
        assert!(school.is_within(UnitKind::School, s));
        assert!(!school.is_within(UnitKind::School, Uuid::from_u128(9)));
        assert!(!school.is_within(UnitKind::Municipality, s));
        assert_eq!(school.kind(), UnitKind::School);
        assert_eq!(school.leaf(), s);
    }

    #[test]
    fn a_municipality_contains_its_schools_but_not_its_region() {
        let (r, _, m, s) = ids();
        let municipality = UnitPath {
            region: r,
            district: None,
            municipality: Some(m),
            school: None,
        };
        let school = UnitPath {
            school: Some(s),
            ..municipality
        };
        assert!(municipality.contains(&school));
        assert!(municipality.contains(&municipality));
        assert!(!school.contains(&municipality));
        assert!(!municipality.contains(&UnitPath::region(r)));
    }

    #[test]
    fn schools_sit_under_municipalities_only() {
        assert_eq!(
            UnitKind::School.allowed_parents(),
            &[UnitKind::Municipality]
        );
        assert!(UnitKind::Region.allowed_parents().is_empty());
    }
}
