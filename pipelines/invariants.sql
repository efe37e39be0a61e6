-- Rules across the warehouse's tables: each query returns the rows that break its rule, so a sound
-- warehouse returns none. Run by pipelines/invariants.py at the end of every build (snapshot, raw, refresh);
-- a query that returns rows stops the build and the previous warehouse stays.
-- Format: a `-- invariant: <name>` line, comment lines saying the rule (quoted in the error), one query.

-- invariant: observation_key_unique
-- one observation per source, dataset, series, geo and period (the key schema.sql does not declare)
SELECT source, dataset, series_key, geo, period, count(*) AS n
FROM observations
GROUP BY ALL
HAVING count(*) > 1;

-- invariant: observations_of_listed_datasets
-- every observation belongs to a dataset listed in datasets
SELECT DISTINCT o.source, o.dataset
FROM observations o ANTI JOIN datasets d USING (source, dataset);

-- invariant: dataset_counts_its_observations
-- datasets.n_obs is the number of the dataset's observations
SELECT d.source, d.dataset, d.n_obs, count(o.geo) AS observations
FROM datasets d LEFT JOIN observations o USING (source, dataset)
GROUP BY d.source, d.dataset, d.n_obs
HAVING d.n_obs <> count(o.geo);

-- invariant: observation_has_value_or_flag
-- an observation without a value says why with a flag (a row with neither says nothing)
SELECT source, dataset, series_key, geo, period
FROM observations
WHERE value IS NULL AND obs_flag IS NULL AND conf_flag IS NULL;

-- invariant: confidential_observation_has_no_value
-- a value under a confidentiality flag would publish what the publisher withheld
SELECT source, dataset, series_key, geo, period, value, conf_flag
FROM observations
WHERE conf_flag IS NOT NULL AND value IS NOT NULL;

-- invariant: upstream_instant_beside_its_text
-- an upstream date is stored as the instant and as the publisher's text, both or neither
SELECT 'datasets' AS tbl, source, dataset, upstream_stated FROM datasets
WHERE (upstream_updated IS NULL) <> (upstream_stated IS NULL)
UNION ALL
SELECT DISTINCT 'observations', source, dataset, upstream_stated FROM observations
WHERE (upstream_updated IS NULL) <> (upstream_stated IS NULL)
UNION ALL
SELECT 'fetches', source, dataset, upstream_stated FROM fetches
WHERE (upstream_updated IS NULL) <> (upstream_stated IS NULL);

-- invariant: upstream_update_not_in_future
-- no publisher updated its data more than a day after this build (a day allows for clocks and zones)
SELECT 'datasets' AS tbl, source, dataset, upstream_stated FROM datasets
WHERE upstream_updated > now() + INTERVAL 1 DAY
UNION ALL
SELECT DISTINCT 'observations', source, dataset, upstream_stated FROM observations
WHERE upstream_updated > now() + INTERVAL 1 DAY;

-- invariant: indicator_resolution_matches_datasets
-- an indicator is resolved (ok, no_series) exactly when its dataset is in the warehouse
SELECT i.id, i.source, i.dataset, i.resolution
FROM indicators i LEFT JOIN datasets d ON d.source = i.source AND d.dataset = i.dataset
WHERE (i.resolution = 'no_dataset') <> (d.dataset IS NULL);

-- invariant: indicator_series_has_observations
-- a resolved indicator's series is in its dataset's observations
SELECT i.id, i.source, i.dataset, i.series_key
FROM (SELECT * FROM indicators WHERE resolution = 'ok') i
ANTI JOIN observations o
    ON o.source = i.source AND o.dataset = i.dataset AND o.series_key = i.series_key;

-- invariant: indicator_values_of_resolved_indicators
-- display values exist only for resolved indicators, and come from a dataset in the warehouse
SELECT v.indicator_id, v.origin, i.resolution
FROM (SELECT DISTINCT indicator_id, origin FROM indicator_values) v
JOIN indicators i ON i.id = v.indicator_id
WHERE i.resolution <> 'ok'
   OR v.origin NOT IN (SELECT source || '/' || dataset FROM datasets);

-- invariant: assessment_in_its_indicators_objective
-- an assessment's objective is its indicator's
SELECT a.indicator_id, a.geo, a.objective, i.objective AS indicator_objective
FROM assessments a JOIN indicators i ON i.id = a.indicator_id
WHERE a.objective <> i.objective;

-- invariant: assessed_status_rests_on_values
-- an indicator with a status for a geo has values for that geo
SELECT a.indicator_id, a.geo, a.status
FROM assessments a
WHERE a.status <> 'insufficient_data' AND NOT EXISTS (
    SELECT 1 FROM indicator_values v
    WHERE v.indicator_id = a.indicator_id AND v.geo = a.geo AND v.value IS NOT NULL);

-- invariant: objective_status_counts_its_assessments
-- an objective's roll-up counts every assessment of its counted indicators (context ones left out), once
SELECT s.objective, s.geo, s.n_assessed, s.n_without_data, count(a.indicator_id) AS assessments
FROM objective_status s
LEFT JOIN indicators i
    ON i.objective = s.objective
   AND coalesce(CAST(json_extract(i.spec, '$.counts_for_objective') AS BOOLEAN), true)
LEFT JOIN assessments a ON a.indicator_id = i.id AND a.geo = s.geo
GROUP BY s.objective, s.geo, s.n_assessed, s.n_without_data
HAVING s.n_assessed + s.n_without_data <> count(a.indicator_id)
    OR count(a.indicator_id) FILTER (WHERE a.status <> 'insufficient_data') <> s.n_assessed;

-- invariant: history_records_a_change
-- every observation_history row changed or withdrew a value (an unchanged one is not history)
SELECT source, dataset, series_key, geo, period, old_value, new_value
FROM observation_history
WHERE new_value IS NOT DISTINCT FROM old_value
  AND new_obs_flag IS NOT DISTINCT FROM old_obs_flag
  AND new_conf_flag IS NOT DISTINCT FROM old_conf_flag
  AND NOT (new_value IS NULL AND new_obs_flag IS NULL AND new_conf_flag IS NULL);

-- invariant: statbel_geo_parent_is_named
-- each parent in the Statbel geography is a geography its file names at that level
SELECT p.dataset, p.geo, p.level, p.parent
FROM statbel_geo_parents p
WHERE NOT EXISTS (
    SELECT 1 FROM statbel_geo_names n
    WHERE n.dataset = p.dataset AND n.level = p.level AND n.code = p.parent);
