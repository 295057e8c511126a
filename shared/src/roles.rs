//! The ten roles people hold in the browser. A person can hold several, each scoped to a unit.

use crate::org::UnitKind;

domain_enum! {
    /// A role a person holds, scoped to a unit of the hierarchy (or the platform for the
    /// administrator).
    pub enum Role {
        Teacher => ("teacher", "Педагог"),
        Tutor => ("tutor", "Тьютор"),
        Methodist => ("methodist", "Методист (наставник)"),
        SchoolCoordinator => ("school_coordinator", "Координатор ОО"),
        DeputyDirector => ("deputy_director", "Заместитель директора"),
        Director => ("director", "Директор"),
        MunicipalCoordinator => ("municipal_coordinator", "Муниципальный координатор"),
        RegionalManager => ("regional_manager", "Менеджер ЦНППМ"),
        Expert => ("expert", "Эксперт"),
        Admin => ("admin", "Администратор"),
    }
}

impl Role {
    /// The kinds of unit a grant of this role may be scoped to. The administrator's grant is
    /// platform-wide and has no unit.
    pub const fn scope_kinds(self) -> &'static [UnitKind] {
        use UnitKind::*;
        match self {
            Role::Teacher
            | Role::Tutor
            | Role::SchoolCoordinator
            | Role::DeputyDirector
            | Role::Director => &[School],
            // A methodist of the regional methodological active, or a municipal one.
            Role::Methodist => &[Region, District, Municipality],
            Role::MunicipalCoordinator => &[Municipality, District],
            Role::RegionalManager | Role::Expert => &[Region],
            Role::Admin => &[],
        }
    }

    /// Roles that see people only through personal assignments (tutees, mentees, products),
    /// never a whole unit.
    pub const fn works_through_assignments(self) -> bool {
        matches!(self, Role::Tutor | Role::Methodist | Role::Expert)
    }

    /// Roles that administer a unit: they see everyone and everything in it.
    pub const fn manages_unit(self) -> bool {
        matches!(
            self,
            Role::SchoolCoordinator
                | Role::DeputyDirector
                | Role::Director
                | Role::MunicipalCoordinator
                | Role::RegionalManager
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn there_are_ten_roles_with_distinct_codes_and_russian_titles() {
        assert_eq!(Role::ALL.len(), 10);
        let mut codes: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 10);
        for role in Role::ALL {
            assert!(role.title_ru().chars().any(|c| ('А'..='я').contains(&c)));
            assert_eq!(Role::from_str(role.as_str()), Ok(*role));
        }
    }

    #[test]
    fn roles_serialize_as_snake_case_codes() {
        let json = serde_json::to_string(&Role::SchoolCoordinator).unwrap_or_default();
        assert_eq!(json, "\"school_coordinator\"");
        assert!(serde_json::from_str::<Role>("\"superuser\"").is_err());
    }

    #[test]
    fn only_the_administrator_is_unscoped() {
        for role in Role::ALL {
            assert_eq!(
                role.scope_kinds().is_empty(),
                *role == Role::Admin,
                "{role}"
            );
        }
    }
}
