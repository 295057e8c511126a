-- The database's own ceiling for a whole-route read: the plan with its activities (and their
-- competency and deficit links) as one JSON document, by the route's id.
SELECT json_build_object(
  'route', row_to_json(r),
  'activities', (
    SELECT json_agg(json_build_object(
      'activity', row_to_json(a),
      'competencies', (SELECT json_agg(c.competency_id) FROM route_activity_competencies c WHERE c.activity_id = a.id),
      'deficits', (SELECT json_agg(d.deficit_id) FROM route_activity_deficits d WHERE d.activity_id = a.id)
    ) ORDER BY a.position)
    FROM route_activities a WHERE a.route_id = r.id))
FROM routes r WHERE r.id = :route;
