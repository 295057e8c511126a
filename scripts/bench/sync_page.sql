-- A keyset page of 100 route changes of a region, with the routes' summary columns.
SELECT f.entity_id, f.seq, f.deleted, r.title, r.status, r.version, r.updated_at
FROM sync_feed f LEFT JOIN routes r ON r.id = f.entity_id
WHERE f.entity = 'routes' AND f.region_id = :region AND f.seq > 0
ORDER BY f.seq LIMIT 100;
