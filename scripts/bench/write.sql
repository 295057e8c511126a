-- A versioned update of the route with an audit record, in one transaction.
BEGIN;
UPDATE routes SET version = version + 1, updated_at = now() WHERE id = :route;
INSERT INTO audit_log (id, occurred_at, actor_id, actor_kind, action, entity_type, entity_id, details)
VALUES (gen_random_uuid(), now(), :teacher, 'user', 'route.bench', 'route', :route, '{}');
COMMIT;
