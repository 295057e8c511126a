//! The one access policy: may this actor do this to this object?
//!
//! Pure functions over facts the server loads (the actor's role grants, where the object sits in
//! the hierarchy, how the actor is personally linked to its owner). Every service asks here; a
//! `false` for reading means the object does not exist for that actor (the API answers 404).

use uuid::Uuid;

use crate::org::UnitPath;
use crate::roles::Role;
use crate::route::RouteStatus;
use crate::workflow::Participant;

/// One role held by the actor, with the path of the unit it is scoped to (`None`: platform-wide,
/// the administrator only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub unit: Option<UnitPath>,
}

/// Who is acting: a person with their grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub grants: Vec<Grant>,
}

/// How the actor is personally linked to a teacher, from tutor, mentor and expert assignments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Links {
    /// The actor is the teacher's tutor.
    pub tutor: bool,
    /// …and the teacher has consented to the tutor seeing their routes (regulation 3.1.3).
    pub tutor_consent: bool,
    /// The actor is the teacher's methodist-mentor.
    pub mentor: bool,
    /// The actor is an expert assigned to evaluate the teacher's products.
    pub expert: bool,
}

impl Links {
    /// A tutor counts only once the teacher has consented (regulation 3.1.3).
    pub fn consenting_tutor(&self) -> bool {
        self.tutor && self.tutor_consent
    }

    /// Whether a personal link lets the actor read the teacher's personal data (profile,
    /// diagnostic results, deficits).
    ///
    /// The consent of regulation 3.1.3 is the tutor's: the tutor is assigned at school level and
    /// sees anything of the teacher only after the teacher agrees. The methodist-mentor is chosen
    /// by the regional manager for the teacher (step 5 of the regional algorithm) and reads by
    /// that assignment; an expert reads the teacher assigned to them. Their reads (like every
    /// read by someone other than the teacher) go to the audit log.
    pub fn reads(&self) -> bool {
        self.consenting_tutor() || self.mentor || self.expert
    }
}

/// Facts about a person as an object of access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonFacts {
    pub id: Uuid,
    /// The school (or other unit) the person works in, if any.
    pub workplace: Option<UnitPath>,
    /// How the actor is linked to this person.
    pub links: Links,
}

/// Facts about a route as an object of access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteFacts {
    pub owner: Uuid,
    pub school: UnitPath,
    pub status: RouteStatus,
    /// How the actor is linked to the route's owner.
    pub links: Links,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }

    /// Whether a grant of `role` covers `path` (its unit is the path's leaf or an ancestor).
    pub fn covers(&self, role: Role, path: &UnitPath) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.unit.is_some_and(|u| u.contains(path)))
    }

    /// Whether any unit-managing role covers `path`.
    pub fn manages(&self, path: &UnitPath) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.manages_unit() && g.unit.is_some_and(|u| u.contains(path)))
    }

    /// Regions the actor works in through any grant.
    pub fn regions(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.grants.iter().filter_map(|g| g.unit.map(|u| u.region))
    }

    /// A unit's name and place are not personal data: anyone working in the region sees the
    /// region's structure (organisers of events, schools of colleagues).
    pub fn can_read_unit(&self, unit: &UnitPath) -> bool {
        self.is_admin() || self.regions().any(|r| r == unit.region)
    }

    /// The region's bank of products is published to everyone working in the region (the
    /// authors agreed to that), and to no one outside it.
    pub fn can_read_bank(&self, region: Uuid) -> bool {
        self.is_admin() || self.regions().any(|r| r == region)
    }

    /// Taking someone else's product off the bank: the region's manager (moderation) and the
    /// administrator; an author withdraws their own.
    pub fn can_moderate_bank(&self, region: Uuid) -> bool {
        self.is_admin() || self.covers(Role::RegionalManager, &UnitPath::region(region))
    }

    /// Creating, editing and archiving units below or at `unit`.
    pub fn can_manage_unit(&self, unit: &UnitPath) -> bool {
        use crate::org::UnitKind;
        if self.is_admin() || self.covers(Role::RegionalManager, unit) {
            return true;
        }
        match unit.kind() {
            UnitKind::School => {
                self.covers(Role::MunicipalCoordinator, unit)
                    || self.covers(Role::Director, unit)
                    || self.covers(Role::SchoolCoordinator, unit)
            }
            _ => false,
        }
    }

    /// Creating a unit of `kind` under `parent`: the administrator anywhere, a regional manager
    /// within the region, a municipal coordinator the schools of the municipality.
    pub fn can_create_unit(&self, kind: crate::org::UnitKind, parent: &UnitPath) -> bool {
        use crate::org::UnitKind;
        self.is_admin()
            || (kind != UnitKind::Region && self.covers(Role::RegionalManager, parent))
            || (kind == UnitKind::School && self.covers(Role::MunicipalCoordinator, parent))
    }

    /// Archiving or restoring a unit is for the level above it, never the unit's own staff
    /// (a director does not archive their own school).
    pub fn can_archive_unit(&self, unit: &UnitPath) -> bool {
        use crate::org::UnitKind;
        let kind = unit.kind();
        self.is_admin()
            || (kind != UnitKind::Region && self.covers(Role::RegionalManager, unit))
            || (kind == UnitKind::School && self.covers(Role::MunicipalCoordinator, unit))
    }

    pub fn can_read_person(&self, person: &PersonFacts) -> bool {
        person.id == self.user_id
            || self.is_admin()
            || person.links.reads()
            || person.workplace.is_some_and(|w| self.manages(&w))
    }

    /// The actor's roles by which they read someone else's data, for the audit log (empty for
    /// one's own data and when they may not read it).
    pub fn read_basis(&self, person: &PersonFacts) -> Vec<Role> {
        if person.id == self.user_id || !self.can_read_person(person) {
            return Vec::new();
        }
        let mut roles = Vec::new();
        if person.links.consenting_tutor() {
            roles.push(Role::Tutor);
        }
        if person.links.mentor {
            roles.push(Role::Methodist);
        }
        if person.links.expert {
            roles.push(Role::Expert);
        }
        if let Some(w) = &person.workplace {
            for g in &self.grants {
                if g.role.manages_unit()
                    && g.unit.is_some_and(|u| u.contains(w))
                    && !roles.contains(&g.role)
                {
                    roles.push(g.role);
                }
            }
        }
        if roles.is_empty() && self.is_admin() {
            roles.push(Role::Admin);
        }
        roles
    }

    /// Managing a person: editing their profile and e-mail, deactivating and activating,
    /// re-inviting, granting and revoking their roles, assigning staff to them.
    ///
    /// One rule for all of it: the person is in the actor's scope (as for
    /// [`Actor::can_update_person`]) and the actor could grant every role the person holds at
    /// that role's unit (`holds`), so nobody takes over someone above them (a coordinator
    /// re-addressing the director's invitation, a manager another manager). A person holding
    /// `admin` is managed by an administrator only. Nobody manages themselves this way: one's
    /// own profile is edited through the same endpoint, but roles, activation and invitations
    /// are never one's own to change.
    pub fn can_manage_person(&self, person: &PersonFacts, holds: &[Grant]) -> bool {
        if person.id == self.user_id {
            return false;
        }
        if holds.iter().any(|g| g.role == Role::Admin) {
            return self.is_admin();
        }
        self.can_update_person(person)
            && holds
                .iter()
                .all(|g| self.can_grant(g.role, g.unit.as_ref()))
    }

    /// Editing a person's profile (the route card's information section); a person edits their own.
    pub fn can_update_person(&self, person: &PersonFacts) -> bool {
        person.id == self.user_id
            || self.is_admin()
            || person.workplace.is_some_and(|w| {
                self.covers(Role::RegionalManager, &w)
                    || self.covers(Role::MunicipalCoordinator, &w)
                    || self.covers(Role::Director, &w)
                    || self.covers(Role::SchoolCoordinator, &w)
            })
    }

    /// Granting or revoking `role` at `unit` (who may appoint whom is itself scoped).
    pub fn can_grant(&self, role: Role, unit: Option<&UnitPath>) -> bool {
        if self.is_admin() {
            return true;
        }
        let Some(unit) = unit else {
            return false;
        };
        let mut allowed: Vec<Role> = Vec::new();
        // Nobody appoints their own peers: a regional manager is appointed by the administrator,
        // a municipal coordinator by the region, a director by the municipality.
        if self.covers(Role::RegionalManager, unit) {
            allowed.extend(
                Role::ALL
                    .iter()
                    .copied()
                    .filter(|r| !matches!(r, Role::Admin | Role::RegionalManager)),
            );
        }
        if self.covers(Role::MunicipalCoordinator, unit) {
            allowed.extend([
                Role::Director,
                Role::DeputyDirector,
                Role::SchoolCoordinator,
                Role::Tutor,
                Role::Teacher,
                Role::Methodist,
            ]);
        }
        if self.covers(Role::Director, unit) {
            allowed.extend([
                Role::DeputyDirector,
                Role::SchoolCoordinator,
                Role::Tutor,
                Role::Teacher,
            ]);
        }
        if self.covers(Role::SchoolCoordinator, unit) {
            allowed.extend([Role::Tutor, Role::Teacher]);
        }
        allowed.contains(&role)
    }

    /// Assigning a tutor or an expert to a teacher working at `workplace`.
    pub fn can_assign_to(&self, workplace: &UnitPath) -> bool {
        self.is_admin()
            || self.covers(Role::RegionalManager, workplace)
            || self.covers(Role::MunicipalCoordinator, workplace)
            || self.covers(Role::Director, workplace)
            || self.covers(Role::SchoolCoordinator, workplace)
    }

    /// Assigning a methodist-mentor: the regional manager chooses the mentor for the teacher
    /// (step 5 of the regional algorithm). A mentor reads the teacher's routes without the
    /// tutor's consent, so the school cannot hand that reach out itself.
    pub fn can_assign_mentor_to(&self, workplace: &UnitPath) -> bool {
        self.is_admin() || self.covers(Role::RegionalManager, workplace)
    }

    /// Reading a route. The administrator runs the platform and does not read teachers' routes.
    pub fn can_read_route(&self, route: &RouteFacts) -> bool {
        route.owner == self.user_id
            || self.manages(&route.school)
            || (route.links.tutor && route.links.tutor_consent)
            || route.links.mentor
            || (route.links.expert && route_is_under_evaluation(route.status))
    }

    /// Writing a route's content: the teacher, the consenting tutor who helps write it, and the
    /// school coordinator who builds the roadmap with the teacher.
    pub fn can_edit_route(&self, route: &RouteFacts) -> bool {
        route.owner == self.user_id
            || (route.links.tutor && route.links.tutor_consent)
            || self.covers(Role::SchoolCoordinator, &route.school)
    }

    /// A route's completion certificate: everyone who may read the route.
    pub fn can_read_certificate(&self, route: &RouteFacts) -> bool {
        self.can_read_route(route)
    }

    /// Revoking a certificate is for the region that issues it (the ЦНППМ manager).
    pub fn can_revoke_certificate(&self, school: &UnitPath) -> bool {
        self.covers(Role::RegionalManager, school)
    }

    /// Exporting lists (routes, deficits) is for those who manage a unit; the rows are then
    /// limited to what each may read.
    pub fn can_export_lists(&self) -> bool {
        self.grants.iter().any(|g| g.role.manages_unit())
    }

    /// Commenting on a route: everyone who may read it.
    pub fn can_comment_route(&self, route: &RouteFacts) -> bool {
        self.can_read_route(route)
    }

    /// How the actor takes part in a route, for the workflow: empty when they may not read it.
    pub fn participation(&self, route: &RouteFacts) -> Vec<Participant> {
        if !self.can_read_route(route) {
            return Vec::new();
        }
        let mut p = Vec::new();
        if route.owner == self.user_id {
            p.push(Participant::Owner);
        }
        if route.links.tutor && route.links.tutor_consent {
            p.push(Participant::Tutor);
        }
        if route.links.mentor {
            p.push(Participant::Mentor);
        }
        if route.links.expert && route_is_under_evaluation(route.status) {
            p.push(Participant::Expert);
        }
        let by_role = [
            (Role::SchoolCoordinator, Participant::SchoolCoordinator),
            (Role::DeputyDirector, Participant::DeputyDirector),
            (Role::Director, Participant::Director),
            (
                Role::MunicipalCoordinator,
                Participant::MunicipalCoordinator,
            ),
            (Role::RegionalManager, Participant::RegionalManager),
        ];
        for (role, participant) in by_role {
            if self.covers(role, &route.school) {
                p.push(participant);
            }
        }
        p
    }

    // ---- Diagnostics ----

    /// A campaign (and a framework) is seen by everyone working in its region: teachers take
    /// part, managers analyse; the results themselves are guarded per person.
    pub fn can_read_campaign(&self, organiser: &UnitPath) -> bool {
        self.can_read_unit(organiser)
    }

    /// Organising a campaign of `level` at `organiser` (and importing its results): the
    /// managers of that level — the region's manager for federal and regional ones (the region
    /// imports federal results), a municipal coordinator for municipal and school ones, the
    /// school's director or coordinator for its own.
    pub fn can_manage_campaign(&self, level: crate::EventLevel, organiser: &UnitPath) -> bool {
        use crate::EventLevel::*;
        if self.is_admin() || self.covers(Role::RegionalManager, organiser) {
            return true;
        }
        match level {
            Federal | Regional => false,
            Municipal => self.covers(Role::MunicipalCoordinator, organiser),
            Institutional => {
                self.covers(Role::MunicipalCoordinator, organiser)
                    || self.covers(Role::Director, organiser)
                    || self.covers(Role::SchoolCoordinator, organiser)
            }
        }
    }

    /// Entering a person's results by hand: the campaign's managers, and the managers of the
    /// person's school (who collect their teachers' results).
    pub fn can_enter_results(
        &self,
        level: crate::EventLevel,
        organiser: &UnitPath,
        workplace: &UnitPath,
    ) -> bool {
        self.can_manage_campaign(level, organiser)
            || self.covers(Role::MunicipalCoordinator, workplace)
            || self.covers(Role::Director, workplace)
            || self.covers(Role::SchoolCoordinator, workplace)
    }

    /// Analysing a unit's results (counts, levels, deficits): those who manage the unit.
    pub fn can_analyse_unit(&self, unit: &UnitPath) -> bool {
        self.manages(unit)
    }

    /// Drafting routes in bulk from a campaign for the teachers of `unit` (the ЦНППМ manager's
    /// «ИОМП, разработанный менеджером», seed 000 steps 4–5): the regional manager of the unit's
    /// region. School and municipal staff write routes with each teacher one at a time; the
    /// administrator runs the platform and drafts nobody's route.
    pub fn can_draft_routes(&self, unit: &UnitPath) -> bool {
        self.covers(Role::RegionalManager, unit)
    }

    /// Editing a region's own competency framework: its manager, or the administrator (who also
    /// keeps the platform's default).
    pub fn can_edit_framework(&self, region: Option<Uuid>) -> bool {
        self.is_admin()
            || region.is_some_and(|r| self.covers(Role::RegionalManager, &UnitPath::region(r)))
    }
}

/// The catalogue of events.
impl Actor {
    /// Creating, editing, publishing and cancelling events organised by `organiser`, and
    /// keeping their attendance: the managers of that unit or of a unit above it — the regional
    /// manager any event of the region, the municipal coordinator the municipality's and its
    /// schools', the school's director, deputy and coordinator the school's own.
    pub fn can_manage_event(&self, organiser: &UnitPath) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.manages_unit() && g.unit.is_some_and(|u| u.contains(organiser)))
    }

    /// Reading an event: its managers always; everyone else once it is published (or
    /// cancelled), when it is in their calendar (see [`crate::catalogue::event_visible_from`]).
    /// The administrator runs the platform and sees every published event.
    pub fn can_read_event(
        &self,
        organiser: &UnitPath,
        status: crate::catalogue::EventStatus,
    ) -> bool {
        if self.can_manage_event(organiser) {
            return true;
        }
        if status == crate::catalogue::EventStatus::Draft {
            return false;
        }
        self.is_admin()
            || self.grants.iter().any(|g| {
                g.unit
                    .is_some_and(|u| crate::catalogue::event_visible_from(organiser, &u))
            })
    }

    /// A line of an event's attendance sheet (who registered, whether they came): the event's
    /// organisers see the whole sheet; the managers of a participant's workplace see that
    /// participant, wherever the event was organised.
    pub fn can_read_attendance(&self, organiser: &UnitPath, participant: &PersonFacts) -> bool {
        self.can_manage_event(organiser) || participant.workplace.is_some_and(|w| self.manages(&w))
    }

    /// Recommending events to a teacher: the teacher's managers, consenting tutor and mentor.
    pub fn can_recommend_to(&self, teacher: &PersonFacts) -> bool {
        teacher.links.consenting_tutor()
            || teacher.links.mentor
            || teacher.workplace.is_some_and(|w| self.manages(&w))
    }

    /// Seeing a teacher's recommendations: the teacher and whoever may recommend to them.
    pub fn can_read_recommendations(&self, teacher: &PersonFacts) -> bool {
        teacher.id == self.user_id || self.can_recommend_to(teacher)
    }

    /// Groups of teachers sharing a deficit in `unit`: its managers.
    pub fn can_read_cohorts(&self, unit: &UnitPath) -> bool {
        self.manages(unit)
    }
}

domain_enum! {
    /// What an integration client (a regional platform, a third party) may do.
    pub enum ClientScope {
        ReadRoutes => ("read_routes", "Чтение маршрутов"),
        ReadPeople => ("read_people", "Чтение сведений о педагогах"),
        ReadDiagnostics => ("read_diagnostics", "Чтение результатов диагностик"),
        ReadCatalogue => ("read_catalogue", "Чтение каталога мероприятий"),
        WriteDiagnostics => ("write_diagnostics", "Загрузка результатов диагностик"),
        WriteEvents => ("write_events", "Публикация мероприятий"),
    }
}

/// An integration client acting through the API: a unit it is bound to and its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientActor {
    pub client_id: Uuid,
    /// The region or municipality the client serves.
    pub unit: UnitPath,
    pub scopes: Vec<ClientScope>,
}

impl ClientActor {
    /// Whether the client has `scope` for something at `path`: the same containment as for
    /// people, so a municipality's client never sees another municipality.
    pub fn may(&self, scope: ClientScope, path: &UnitPath) -> bool {
        self.scopes.contains(&scope) && self.unit.contains(path)
    }
}

/// Whether a personal assignment (tutor, mentor, expert) still stands after its staff member
/// lost the role at one unit: it stands when a grant of the same role that remains (`remaining`,
/// the units of the staff member's other grants of that role) covers the teacher's workplace.
pub fn assignment_still_covered(remaining: &[UnitPath], workplace: Option<&UnitPath>) -> bool {
    workplace.is_some_and(|w| remaining.iter().any(|u| u.contains(w)))
}

/// An expert sees a route from the moment its product is submitted.
fn route_is_under_evaluation(status: RouteStatus) -> bool {
    matches!(
        status,
        RouteStatus::ProductSubmitted | RouteStatus::Evaluated | RouteStatus::Completed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small world: one region with two municipalities, two schools in the first and one in
    /// the second, and a second region.
    struct World {
        region: UnitPath,
        muni_a: UnitPath,
        school_a1: UnitPath,
        school_a2: UnitPath,
        school_b1: UnitPath,
        other_region_school: UnitPath,
    }

    fn world() -> World {
        let r = Uuid::from_u128(1);
        let muni_a = UnitPath {
            region: r,
            district: None,
            municipality: Some(Uuid::from_u128(10)),
            school: None,
        };
        let muni_b = UnitPath {
            municipality: Some(Uuid::from_u128(20)),
            ..muni_a
        };
        let r2 = Uuid::from_u128(2);
        World {
            region: UnitPath::region(r),
            muni_a,
            school_a1: UnitPath {
                school: Some(Uuid::from_u128(11)),
                ..muni_a
            },
            school_a2: UnitPath {
                school: Some(Uuid::from_u128(12)),
                ..muni_a
            },
            school_b1: UnitPath {
                school: Some(Uuid::from_u128(21)),
                ..muni_b
            },
            other_region_school: UnitPath {
                region: r2,
                district: None,
                municipality: Some(Uuid::from_u128(30)),
                school: Some(Uuid::from_u128(31)),
            },
        }
    }

    fn actor(role: Role, unit: Option<UnitPath>) -> Actor {
        Actor {
            user_id: Uuid::from_u128(100),
            grants: vec![Grant { role, unit }],
        }
    }

    fn route_in(school: UnitPath, links: Links, status: RouteStatus) -> RouteFacts {
        RouteFacts {
            owner: Uuid::from_u128(200),
            school,
            status,
            links,
        }
    }

    #[test]
    fn only_the_regional_manager_of_the_region_revokes_certificates() {
        let w = world();
        assert!(actor(Role::RegionalManager, Some(w.region)).can_revoke_certificate(&w.school_a1));
        assert!(
            !actor(Role::RegionalManager, Some(w.region))
                .can_revoke_certificate(&w.other_region_school)
        );
        assert!(!actor(Role::Director, Some(w.school_a1)).can_revoke_certificate(&w.school_a1));
        assert!(
            !actor(Role::MunicipalCoordinator, Some(w.muni_a)).can_revoke_certificate(&w.school_a1)
        );
    }

    #[test]
    fn managers_export_lists_and_teachers_do_not() {
        let w = world();
        assert!(actor(Role::MunicipalCoordinator, Some(w.muni_a)).can_export_lists());
        assert!(actor(Role::Director, Some(w.school_a1)).can_export_lists());
        assert!(!actor(Role::Teacher, Some(w.school_a1)).can_export_lists());
        assert!(!actor(Role::Admin, None).can_export_lists());
    }

    #[test]
    fn school_roles_read_routes_of_their_school_only() {
        let w = world();
        for role in [
            Role::SchoolCoordinator,
            Role::DeputyDirector,
            Role::Director,
        ] {
            let a = actor(role, Some(w.school_a1));
            let draft = RouteStatus::Draft;
            assert!(
                a.can_read_route(&route_in(w.school_a1, Links::default(), draft)),
                "{role}"
            );
            assert!(
                !a.can_read_route(&route_in(w.school_a2, Links::default(), draft)),
                "{role}"
            );
            assert!(
                !a.can_read_route(&route_in(w.school_b1, Links::default(), draft)),
                "{role}"
            );
        }
    }

    #[test]
    fn a_municipal_coordinator_reads_the_municipality_and_a_manager_the_region() {
        let w = world();
        let muni = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        let status = RouteStatus::InProgress;
        assert!(muni.can_read_route(&route_in(w.school_a2, Links::default(), status)));
        assert!(!muni.can_read_route(&route_in(w.school_b1, Links::default(), status)));

        let manager = actor(Role::RegionalManager, Some(w.region));
        assert!(manager.can_read_route(&route_in(w.school_b1, Links::default(), status)));
        assert!(!manager.can_read_route(&route_in(
            w.other_region_school,
            Links::default(),
            status
        )));
    }

    #[test]
    fn only_the_regional_manager_drafts_routes_in_bulk_and_only_in_the_region() {
        let w = world();
        let manager = actor(Role::RegionalManager, Some(w.region));
        assert!(manager.can_draft_routes(&w.region));
        assert!(manager.can_draft_routes(&w.muni_a));
        assert!(manager.can_draft_routes(&w.school_b1));
        assert!(!manager.can_draft_routes(&w.other_region_school));
        for (role, unit) in [
            (Role::MunicipalCoordinator, w.muni_a),
            (Role::SchoolCoordinator, w.school_a1),
            (Role::Director, w.school_a1),
            (Role::Tutor, w.school_a1),
            (Role::Teacher, w.school_a1),
            (Role::Admin, w.region),
        ] {
            let a = actor(role, (role != Role::Admin).then_some(unit));
            assert!(!a.can_draft_routes(&w.school_a1), "{role}");
            assert!(!a.can_draft_routes(&w.school_a2), "{role}");
        }
    }

    #[test]
    fn a_tutor_reads_a_tutees_route_only_after_consent() {
        let w = world();
        let tutor = actor(Role::Tutor, Some(w.school_a1));
        let s = RouteStatus::Draft;
        let no_link = Links::default();
        let no_consent = Links {
            tutor: true,
            ..Links::default()
        };
        let consent = Links {
            tutor: true,
            tutor_consent: true,
            ..Links::default()
        };
        assert!(!tutor.can_read_route(&route_in(w.school_a1, no_link, s)));
        assert!(!tutor.can_read_route(&route_in(w.school_a1, no_consent, s)));
        assert!(tutor.can_read_route(&route_in(w.school_a1, consent, s)));
        assert!(tutor.can_edit_route(&route_in(w.school_a1, consent, s)));
        assert!(!tutor.can_edit_route(&route_in(w.school_a1, no_consent, s)));
    }

    #[test]
    fn an_expert_sees_an_assigned_route_once_its_product_is_submitted() {
        let w = world();
        let expert = actor(Role::Expert, Some(w.region));
        let links = Links {
            expert: true,
            ..Links::default()
        };
        assert!(!expert.can_read_route(&route_in(w.school_a1, links, RouteStatus::InProgress)));
        assert!(expert.can_read_route(&route_in(
            w.school_a1,
            links,
            RouteStatus::ProductSubmitted
        )));
        assert!(!expert.can_read_route(&route_in(
            w.school_a1,
            Links::default(),
            RouteStatus::ProductSubmitted
        )));
        assert!(!expert.can_edit_route(&route_in(
            w.school_a1,
            links,
            RouteStatus::ProductSubmitted
        )));
    }

    #[test]
    fn a_teacher_reads_and_edits_only_own_routes() {
        let w = world();
        let teacher = actor(Role::Teacher, Some(w.school_a1));
        let own = RouteFacts {
            owner: teacher.user_id,
            ..route_in(w.school_a1, Links::default(), RouteStatus::Draft)
        };
        let colleague = route_in(w.school_a1, Links::default(), RouteStatus::Draft);
        assert!(teacher.can_read_route(&own) && teacher.can_edit_route(&own));
        assert!(!teacher.can_read_route(&colleague) && !teacher.can_edit_route(&colleague));
    }

    #[test]
    fn the_administrator_runs_the_platform_but_does_not_read_routes() {
        let w = world();
        let admin = actor(Role::Admin, None);
        assert!(!admin.can_read_route(&route_in(
            w.school_a1,
            Links::default(),
            RouteStatus::Draft
        )));
        assert!(admin.can_read_unit(&w.other_region_school));
        assert!(admin.can_manage_unit(&w.region));
        assert!(admin.can_grant(Role::Admin, None));
    }

    #[test]
    fn people_are_visible_to_themselves_their_managers_and_linked_staff() {
        let w = world();
        let person = |workplace, links| PersonFacts {
            id: Uuid::from_u128(300),
            workplace: Some(workplace),
            links,
        };
        let director = actor(Role::Director, Some(w.school_a1));
        assert!(director.can_read_person(&person(w.school_a1, Links::default())));
        assert!(!director.can_read_person(&person(w.school_a2, Links::default())));
        assert!(director.can_update_person(&person(w.school_a1, Links::default())));

        let methodist = actor(Role::Methodist, Some(w.region));
        let mentee = Links {
            mentor: true,
            ..Links::default()
        };
        assert!(methodist.can_read_person(&person(w.school_b1, mentee)));
        assert!(!methodist.can_read_person(&person(w.school_b1, Links::default())));
        assert!(!methodist.can_update_person(&person(w.school_b1, mentee)));

        let teacher = actor(Role::Teacher, Some(w.school_a1));
        let me = PersonFacts {
            id: teacher.user_id,
            workplace: Some(w.school_a1),
            links: Links::default(),
        };
        assert!(teacher.can_read_person(&me) && teacher.can_update_person(&me));
        assert!(!teacher.can_read_person(&person(w.school_a1, Links::default())));
    }

    #[test]
    fn units_of_a_region_are_visible_to_everyone_working_in_it() {
        let w = world();
        let teacher = actor(Role::Teacher, Some(w.school_a1));
        assert!(teacher.can_read_unit(&w.school_b1));
        assert!(!teacher.can_read_unit(&w.other_region_school));
        assert!(!teacher.can_manage_unit(&w.school_a1));
        let muni = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        assert!(muni.can_manage_unit(&w.school_a2));
        assert!(!muni.can_manage_unit(&w.muni_a));
        assert!(!muni.can_manage_unit(&w.school_b1));
    }

    #[test]
    fn a_client_sees_only_its_units_and_only_with_the_scope() {
        let w = world();
        let client = ClientActor {
            client_id: Uuid::from_u128(9),
            unit: w.muni_a,
            scopes: vec![ClientScope::ReadRoutes],
        };
        assert!(client.may(ClientScope::ReadRoutes, &w.school_a1));
        assert!(!client.may(ClientScope::ReadRoutes, &w.school_b1));
        assert!(!client.may(ClientScope::ReadPeople, &w.school_a1));
        let regional = ClientActor {
            unit: w.region,
            ..client
        };
        assert!(regional.may(ClientScope::ReadRoutes, &w.school_b1));
        assert!(!regional.may(ClientScope::ReadRoutes, &w.other_region_school));
    }

    #[test]
    fn units_are_created_by_the_level_above() {
        use crate::org::UnitKind;
        let w = world();
        let manager = actor(Role::RegionalManager, Some(w.region));
        assert!(manager.can_create_unit(UnitKind::Municipality, &w.region));
        assert!(manager.can_create_unit(UnitKind::School, &w.muni_a));
        assert!(!manager.can_create_unit(UnitKind::School, &w.other_region_school));
        let muni = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        assert!(muni.can_create_unit(UnitKind::School, &w.muni_a));
        assert!(!muni.can_create_unit(UnitKind::Municipality, &w.region));
        assert!(
            !actor(Role::Director, Some(w.school_a1)).can_create_unit(UnitKind::School, &w.muni_a)
        );
        let director = actor(Role::Director, Some(w.school_a1));
        assert!(!director.can_archive_unit(&w.school_a1));
        assert!(muni.can_archive_unit(&w.school_a1));
        assert!(!muni.can_archive_unit(&w.muni_a));
        assert!(manager.can_archive_unit(&w.muni_a));
        assert!(!manager.can_archive_unit(&w.region));
    }

    #[test]
    fn who_may_appoint_whom_is_scoped() {
        let w = world();
        let coordinator = actor(Role::SchoolCoordinator, Some(w.school_a1));
        assert!(coordinator.can_grant(Role::Tutor, Some(&w.school_a1)));
        assert!(!coordinator.can_grant(Role::Tutor, Some(&w.school_a2)));
        assert!(!coordinator.can_grant(Role::Director, Some(&w.school_a1)));

        let muni = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        assert!(muni.can_grant(Role::SchoolCoordinator, Some(&w.school_a2)));
        assert!(!muni.can_grant(Role::SchoolCoordinator, Some(&w.school_b1)));
        assert!(!muni.can_grant(Role::RegionalManager, Some(&w.region)));

        let manager = actor(Role::RegionalManager, Some(w.region));
        assert!(manager.can_grant(Role::MunicipalCoordinator, Some(&w.muni_a)));
        assert!(!manager.can_grant(Role::Admin, Some(&w.region)));
        assert!(
            !manager.can_grant(Role::RegionalManager, Some(&w.region)),
            "managers are appointed by the administrator, not by each other"
        );
        assert!(!muni.can_grant(Role::MunicipalCoordinator, Some(&w.muni_a)));
        assert!(!coordinator.can_grant(Role::SchoolCoordinator, Some(&w.school_a1)));
        assert!(!manager.can_grant(Role::Tutor, Some(&w.other_region_school)));
        assert!(!manager.can_grant(Role::Tutor, None));
    }

    fn held(role: Role, unit: Option<UnitPath>) -> Grant {
        Grant { role, unit }
    }

    fn staff_at(workplace: UnitPath) -> PersonFacts {
        PersonFacts {
            id: Uuid::from_u128(300),
            workplace: Some(workplace),
            links: Links::default(),
        }
    }

    #[test]
    fn a_person_is_managed_only_by_someone_who_could_grant_every_role_they_hold() {
        let w = world();
        let coordinator = actor(Role::SchoolCoordinator, Some(w.school_a1));
        let person = staff_at(w.school_a1);
        let teacher = [held(Role::Teacher, Some(w.school_a1))];
        let director = [held(Role::Director, Some(w.school_a1))];
        assert!(coordinator.can_manage_person(&person, &teacher));
        assert!(
            !coordinator.can_manage_person(&person, &director),
            "a coordinator does not take over the director"
        );
        let teacher_and_methodist = [
            held(Role::Teacher, Some(w.school_a1)),
            held(Role::Methodist, Some(w.muni_a)),
        ];
        assert!(!coordinator.can_manage_person(&person, &teacher_and_methodist));
        let muni = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        assert!(muni.can_manage_person(&person, &teacher_and_methodist));
        assert!(muni.can_manage_person(&person, &director));
        assert!(!muni.can_manage_person(&staff_at(w.school_b1), &teacher));

        let manager = actor(Role::RegionalManager, Some(w.region));
        let other_manager = [held(Role::RegionalManager, Some(w.region))];
        assert!(
            !manager.can_manage_person(&staff_at(w.region), &other_manager),
            "a manager does not manage another manager"
        );
        assert!(manager.can_manage_person(&person, &director));
        let admin_with_workplace = [
            held(Role::Admin, None),
            held(Role::Teacher, Some(w.school_a1)),
        ];
        assert!(!manager.can_manage_person(&person, &admin_with_workplace));
        assert!(!muni.can_manage_person(&person, &admin_with_workplace));
        let admin = actor(Role::Admin, None);
        assert!(admin.can_manage_person(&person, &admin_with_workplace));
        assert!(admin.can_manage_person(&staff_at(w.region), &other_manager));
        // A grant whose unit is unknown is managed by nobody but the administrator.
        let lost = [held(Role::Teacher, None)];
        assert!(!manager.can_manage_person(&person, &lost));
        assert!(admin.can_manage_person(&person, &lost));
    }

    #[test]
    fn nobody_manages_themselves_not_even_the_administrator() {
        let w = world();
        let admin = actor(Role::Admin, None);
        let me = PersonFacts {
            id: admin.user_id,
            workplace: None,
            links: Links::default(),
        };
        assert!(!admin.can_manage_person(&me, &[held(Role::Admin, None)]));
        let director = actor(Role::Director, Some(w.school_a1));
        let me = PersonFacts {
            id: director.user_id,
            workplace: Some(w.school_a1),
            links: Links::default(),
        };
        assert!(!director.can_manage_person(&me, &director.grants));
        // Editing one's own profile stays allowed.
        assert!(director.can_update_person(&me));
    }

    #[test]
    fn a_tutor_reads_a_teacher_only_with_consent_and_a_mentor_by_assignment() {
        let w = world();
        let tutor = actor(Role::Tutor, Some(w.school_a1));
        let person = |links| PersonFacts {
            id: Uuid::from_u128(300),
            workplace: Some(w.school_a2),
            links,
        };
        let no_consent = Links {
            tutor: true,
            ..Links::default()
        };
        let consent = Links {
            tutor_consent: true,
            ..no_consent
        };
        assert!(!tutor.can_read_person(&person(no_consent)));
        assert!(!tutor.can_recommend_to(&person(no_consent)));
        assert!(!tutor.can_read_recommendations(&person(no_consent)));
        assert!(tutor.can_read_person(&person(consent)));
        assert!(tutor.can_read_recommendations(&person(consent)));
        let mentor = Links {
            mentor: true,
            ..Links::default()
        };
        let methodist = actor(Role::Methodist, Some(w.region));
        assert!(methodist.can_read_person(&person(mentor)));
        assert!(methodist.can_recommend_to(&person(mentor)));
    }

    #[test]
    fn the_bank_is_read_in_its_region_and_moderated_by_its_manager() {
        let w = world();
        let teacher = actor(Role::Teacher, Some(w.school_a1));
        assert!(teacher.can_read_bank(w.region.region));
        assert!(!teacher.can_read_bank(w.other_region_school.region));
        assert!(!teacher.can_moderate_bank(w.region.region));
        let coordinator = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        assert!(!coordinator.can_moderate_bank(w.region.region));
        let manager = actor(Role::RegionalManager, Some(w.region));
        assert!(manager.can_moderate_bank(w.region.region));
        assert!(!manager.can_moderate_bank(w.other_region_school.region));
        assert!(!manager.can_read_bank(w.other_region_school.region));
        let admin = actor(Role::Admin, None);
        assert!(admin.can_read_bank(w.other_region_school.region));
        assert!(admin.can_moderate_bank(w.other_region_school.region));
    }

    #[test]
    fn the_basis_of_a_read_names_the_roles_it_is_made_by() {
        let w = world();
        let mut director = actor(Role::Director, Some(w.school_a1));
        director.grants.push(held(Role::Tutor, Some(w.school_a1)));
        let consent = Links {
            tutor: true,
            tutor_consent: true,
            ..Links::default()
        };
        let tutee = PersonFacts {
            id: Uuid::from_u128(300),
            workplace: Some(w.school_a1),
            links: consent,
        };
        assert_eq!(director.read_basis(&tutee), [Role::Tutor, Role::Director]);
        let me = PersonFacts {
            id: director.user_id,
            ..tutee
        };
        assert!(
            director.read_basis(&me).is_empty(),
            "one's own reads are not audited"
        );
        let stranger = staff_at(w.school_b1);
        assert!(director.read_basis(&stranger).is_empty());
        assert_eq!(
            actor(Role::Admin, None).read_basis(&stranger),
            [Role::Admin]
        );
    }

    #[test]
    fn only_the_regional_manager_chooses_a_mentor() {
        let w = world();
        assert!(actor(Role::RegionalManager, Some(w.region)).can_assign_mentor_to(&w.school_a1));
        assert!(actor(Role::Admin, None).can_assign_mentor_to(&w.school_a1));
        for role in [
            Role::SchoolCoordinator,
            Role::Director,
            Role::MunicipalCoordinator,
        ] {
            let unit = if role == Role::MunicipalCoordinator {
                w.muni_a
            } else {
                w.school_a1
            };
            let a = actor(role, Some(unit));
            assert!(a.can_assign_to(&w.school_a1), "{role}");
            assert!(!a.can_assign_mentor_to(&w.school_a1), "{role}");
        }
    }

    #[test]
    fn an_assignment_stands_while_a_remaining_grant_covers_the_teachers_workplace() {
        let w = world();
        assert!(!assignment_still_covered(&[], Some(&w.school_a1)));
        assert!(assignment_still_covered(&[w.school_a1], Some(&w.school_a1)));
        assert!(!assignment_still_covered(
            &[w.school_a2],
            Some(&w.school_a1)
        ));
        assert!(assignment_still_covered(&[w.muni_a], Some(&w.school_a1)));
        assert!(!assignment_still_covered(&[w.muni_a], Some(&w.school_b1)));
        assert!(!assignment_still_covered(&[w.region], None));
    }

    #[test]
    fn participation_names_every_part_a_person_plays_and_nothing_out_of_scope() {
        let w = world();
        let mut director = actor(Role::Director, Some(w.school_a1));
        director.grants.push(Grant {
            role: Role::Tutor,
            unit: Some(w.school_a1),
        });
        let consent = Links {
            tutor: true,
            tutor_consent: true,
            ..Links::default()
        };
        let route = route_in(w.school_a1, consent, RouteStatus::Submitted);
        assert_eq!(
            director.participation(&route),
            [Participant::Tutor, Participant::Director]
        );
        let elsewhere = route_in(w.school_a2, Links::default(), RouteStatus::Submitted);
        assert!(director.participation(&elsewhere).is_empty());
        let expert = actor(Role::Expert, Some(w.region));
        let links = Links {
            expert: true,
            ..Links::default()
        };
        assert!(
            expert
                .participation(&route_in(w.school_a1, links, RouteStatus::InProgress))
                .is_empty()
        );
        assert_eq!(
            expert.participation(&route_in(w.school_a1, links, RouteStatus::ProductSubmitted)),
            [Participant::Expert]
        );
    }

    #[test]
    fn events_are_managed_by_their_level_and_read_in_scope() {
        use crate::catalogue::EventStatus;
        let w = world();
        let muni = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        assert!(muni.can_manage_event(&w.muni_a));
        assert!(muni.can_manage_event(&w.school_a1));
        assert!(!muni.can_manage_event(&w.region));
        assert!(!muni.can_manage_event(&w.school_b1));
        let director = actor(Role::Director, Some(w.school_a1));
        assert!(director.can_manage_event(&w.school_a1));
        assert!(!director.can_manage_event(&w.muni_a));
        let teacher = actor(Role::Teacher, Some(w.school_a2));
        assert!(!teacher.can_manage_event(&w.school_a2));
        assert!(teacher.can_read_event(&w.muni_a, EventStatus::Published));
        assert!(teacher.can_read_event(&w.region, EventStatus::Cancelled));
        assert!(!teacher.can_read_event(&w.muni_a, EventStatus::Draft));
        assert!(
            !teacher.can_read_event(&w.school_a1, EventStatus::Published),
            "another school's internal event"
        );
        assert!(!teacher.can_read_event(&w.other_region_school, EventStatus::Published));
        assert!(muni.can_read_event(&w.school_a1, EventStatus::Draft));
        let admin = actor(Role::Admin, None);
        assert!(admin.can_read_event(&w.region, EventStatus::Published));
        assert!(!admin.can_manage_event(&w.region));
    }

    #[test]
    fn attendance_is_read_by_the_organisers_and_by_the_participants_managers() {
        let w = world();
        let person = |workplace: UnitPath| PersonFacts {
            id: Uuid::from_u128(300),
            workplace: Some(workplace),
            links: Links::default(),
        };
        let muni = actor(Role::MunicipalCoordinator, Some(w.muni_a));
        // The municipality's own event: the whole sheet, teachers of other municipalities too.
        assert!(muni.can_read_attendance(&w.muni_a, &person(w.school_b1)));
        // A regional course: only the municipality's own teachers.
        assert!(muni.can_read_attendance(&w.region, &person(w.school_a2)));
        assert!(!muni.can_read_attendance(&w.region, &person(w.school_b1)));
        let director = actor(Role::Director, Some(w.school_a1));
        assert!(director.can_read_attendance(&w.region, &person(w.school_a1)));
        assert!(!director.can_read_attendance(&w.muni_a, &person(w.school_a2)));
        let manager = actor(Role::RegionalManager, Some(w.region));
        assert!(manager.can_read_attendance(&w.school_a1, &person(w.school_b1)));
        assert!(
            !manager.can_read_attendance(&w.other_region_school, &person(w.other_region_school))
        );
        // Teachers and tutors keep no sheets, not even of their own school.
        let teacher = actor(Role::Teacher, Some(w.school_a1));
        assert!(!teacher.can_read_attendance(&w.school_a1, &person(w.school_a1)));
        let tutor = actor(Role::Tutor, Some(w.school_a1));
        assert!(!tutor.can_read_attendance(&w.muni_a, &person(w.school_a1)));
    }

    #[test]
    fn assignments_are_made_by_the_teachers_managers() {
        let w = world();
        assert!(actor(Role::SchoolCoordinator, Some(w.school_a1)).can_assign_to(&w.school_a1));
        assert!(!actor(Role::SchoolCoordinator, Some(w.school_a1)).can_assign_to(&w.school_a2));
        assert!(actor(Role::RegionalManager, Some(w.region)).can_assign_to(&w.school_b1));
        assert!(!actor(Role::Tutor, Some(w.school_a1)).can_assign_to(&w.school_a1));
        assert!(!actor(Role::Teacher, Some(w.school_a1)).can_assign_to(&w.school_a1));
    }
}
