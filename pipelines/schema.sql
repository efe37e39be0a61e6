-- The warehouse: the single source of truth for table and column names, keys and allowed values.
-- Built by pipelines/warehouse.py into a new file that replaces the old one atomically. Placeholders such
-- as ${statuses} are value lists filled from indicators/vocabulary.py (and warehouse.py) when the DDL runs, so
-- a CHECK never retypes a word the code defines. pipelines/invariants.sql holds the rules that span tables.
--
-- upstream_updated is the instant a publisher last updated the data (TIMESTAMPTZ: compare, order and max on
-- it); upstream_stated beside it is that date as the publisher wrote it (a date, or a date and time with its
-- offset), for display. pipelines/upstream_time.py reads the one into the other.

CREATE TABLE observations (
    source           VARCHAR NOT NULL,   -- eurostat | desi | statbel
    dataset          VARCHAR NOT NULL,   -- upstream code, lower case
    series_key       VARCHAR NOT NULL,   -- non-geo, non-time dimensions: sorted dim=code joined by |
    geo              VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,   -- upstream TIME_PERIOD text; DESI: reference year, not edition
    value            DOUBLE,             -- NULL when upstream gives only a flag (e.g. confidential)
    obs_flag         VARCHAR,            -- Eurostat observation status letters (b, p, e, u, d, ...)
    conf_flag        VARCHAR,            -- confidentiality status (C, N, P)
    upstream_updated TIMESTAMPTZ,        -- upstream last update of the dataset, when known
    upstream_stated  VARCHAR,            -- the same as the publisher states it (ISO 8601 text)
    fetched_at       TIMESTAMP,          -- when we read the payload
    edition          VARCHAR,            -- DESI edition the value was published in (desi_2026); NULL otherwise
    -- Keyed by (source, dataset, series_key, geo, period), checked by invariants.sql (observation_key_unique)
    -- rather than declared: DuckDB's index on a 5-column text key over 1.2 million rows made the snapshot
    -- build two to three times slower (+12 s) for a check a GROUP BY does in well under a second.
    CHECK (source IN (${sources})),
    CHECK (edition IS NULL OR (source = 'desi' AND edition LIKE 'desi\_%' ESCAPE '\'))
);

-- Every value a refresh changed: Eurostat keeps no vintages, we do.
CREATE TABLE observation_history (
    source               VARCHAR NOT NULL,
    dataset              VARCHAR NOT NULL,
    series_key           VARCHAR NOT NULL,
    geo                  VARCHAR NOT NULL,
    period               VARCHAR NOT NULL,
    old_value            DOUBLE,
    old_obs_flag         VARCHAR,
    old_conf_flag        VARCHAR,
    old_upstream_updated TIMESTAMPTZ,
    old_upstream_stated  VARCHAR,
    new_value            DOUBLE,           -- NULL new values: withdrawn
    new_obs_flag         VARCHAR,
    new_conf_flag        VARCHAR,
    new_upstream_updated TIMESTAMPTZ,
    new_upstream_stated  VARCHAR,
    changed_at           TIMESTAMP NOT NULL
);

-- Every value a refresh added (a key its dataset did not hold before), with when the project first saw it.
CREATE TABLE observation_added (
    source           VARCHAR NOT NULL,
    dataset          VARCHAR NOT NULL,
    series_key       VARCHAR NOT NULL,
    geo              VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    value            DOUBLE,
    obs_flag         VARCHAR,
    upstream_updated TIMESTAMPTZ,
    upstream_stated  VARCHAR,
    added_at         TIMESTAMP NOT NULL
);

-- Code → label pairs of the series dimensions, carried by the payloads (Eurostat labels are English; Statbel
-- NL/FR); dataset '*' holds Eurostat's shared code lists. DESI editions are in observations.edition and the
-- Statbel geography in statbel_geo_names / statbel_geo_parents, not here.
CREATE TABLE labels (
    source    VARCHAR NOT NULL,
    dataset   VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL,
    code      VARCHAR NOT NULL,
    lang      VARCHAR NOT NULL,      -- ISO 639 code of the label's language
    label     VARCHAR,
    PRIMARY KEY (source, dataset, dimension, code, lang),
    CHECK (source IN (${sources})),
    CHECK (regexp_full_match(lang, '[a-z]{2,3}')),
    CHECK (dimension <> 'edition' AND dimension NOT LIKE 'geo.%')
);

-- The names Statbel's data files give their geographies (municipality, district, province, region NIS codes).
CREATE TABLE statbel_geo_names (
    dataset VARCHAR NOT NULL,        -- the Statbel file that names it
    level   VARCHAR NOT NULL,        -- the file's column: geo (its finest geography) or cd_dstr_refnis, ...
    code    VARCHAR NOT NULL,        -- NIS code
    lang    VARCHAR NOT NULL,
    name    VARCHAR NOT NULL,
    PRIMARY KEY (dataset, level, code, lang),
    CHECK (regexp_full_match(lang, '[a-z]{2,3}'))
);

-- Each geo of a Statbel file with its coarser geographies (Brussels municipalities have no province).
CREATE TABLE statbel_geo_parents (
    dataset VARCHAR NOT NULL,
    geo     VARCHAR NOT NULL,        -- the file's finest geography (NIS code)
    level   VARCHAR NOT NULL,        -- the coarser column: cd_dstr_refnis, cd_prov_refnis, cd_rgn_refnis
    parent  VARCHAR NOT NULL,        -- its NIS code at that level
    PRIMARY KEY (dataset, geo, level)
);

-- One row per dataset in the warehouse: where it came from and how fresh it is.
CREATE TABLE datasets (
    source           VARCHAR NOT NULL,
    dataset          VARCHAR NOT NULL,
    title            VARCHAR,
    format           VARCHAR NOT NULL,
    location         VARCHAR,            -- URL or file name it was read from
    sha256           VARCHAR,
    bytes            BIGINT,
    upstream_updated TIMESTAMPTZ,
    upstream_stated  VARCHAR,            -- upstream_updated as the publisher states it
    read_at          TIMESTAMP,
    n_obs            BIGINT NOT NULL CHECK (n_obs >= 0),
    licence          VARCHAR,
    attribution      VARCHAR,
    notes            VARCHAR,
    PRIMARY KEY (source, dataset),
    CHECK (source IN (${sources}))
);

-- One row per attempt to fetch or read a payload, successful or not.
CREATE TABLE fetches (
    source           VARCHAR,
    dataset          VARCHAR,
    location         VARCHAR NOT NULL,   -- URL or path
    format           VARCHAR,
    started          TIMESTAMP NOT NULL,
    finished         TIMESTAMP,
    status           VARCHAR NOT NULL CHECK (status IN (${fetch_statuses})),
    bytes            BIGINT,
    sha256           VARCHAR,
    upstream_updated TIMESTAMPTZ,
    upstream_stated  VARCHAR,
    n_obs            BIGINT,
    error            VARCHAR
);

-- Statbel geography reference (municipality NIS codes ↔ NUTS/LAU, names, hierarchy).
CREATE TABLE geo_reference (
    geo           VARCHAR,            -- NIS (REFNIS) code; none for NUTS-only levels such as BE10
    nuts_lau_code VARCHAR NOT NULL,   -- NUTS code for levels 1-3, LAU code for municipalities
    level         INTEGER,
    parent        VARCHAR,            -- nuts_lau_code of the level above
    name_nl       VARCHAR,
    name_fr       VARCHAR,
    name_de       VARCHAR,
    name_en       VARCHAR,
    valid_from    DATE,
    valid_to      DATE,
    UNIQUE (nuts_lau_code, valid_from),
    CHECK (level BETWEEN 1 AND 4),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to)
);

CREATE TABLE build_info (
    built_at        TIMESTAMP NOT NULL,
    built_from      VARCHAR NOT NULL CHECK (built_from IN (${built_from})),
    location        VARCHAR NOT NULL,
    n_obs           BIGINT NOT NULL,
    snapshot_sha256 VARCHAR,             -- the snapshot manifest a snapshot build came from
    build_id        VARCHAR              -- this build's identity (assessment_history, pack records)
);

-- The assessments of every build, kept across refreshes: status changes are read from here.
CREATE TABLE assessment_history (
    build_id      VARCHAR NOT NULL,
    built_at      TIMESTAMP NOT NULL,
    indicator_id  VARCHAR NOT NULL,
    geo           VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,    -- no CHECK: a past build's words stay as they were recorded
    status_kind   VARCHAR,
    latest_period VARCHAR,
    latest_value  DOUBLE,
    PRIMARY KEY (build_id, indicator_id, geo)
);

-- The layout of this file; a build meeting an older warehouse migrates its data or refuses, never drops it.
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (8);

-- ---------------------------------------------------------------- catalogue and assessment (written by the build)

CREATE TABLE objectives (
    number         INTEGER PRIMARY KEY,
    id             VARCHAR NOT NULL,
    title_en       VARCHAR NOT NULL,
    title_fr       VARCHAR NOT NULL,
    title_nl       VARCHAR NOT NULL,
    title_de       VARCHAR NOT NULL,
    description_en VARCHAR NOT NULL,
    description_fr VARCHAR NOT NULL,
    description_nl VARCHAR NOT NULL,
    description_de VARCHAR NOT NULL
);

CREATE TABLE indicators (
    id             VARCHAR PRIMARY KEY,
    objective      INTEGER NOT NULL,
    headline       BOOLEAN NOT NULL,
    source         VARCHAR NOT NULL,
    dataset        VARCHAR NOT NULL,
    series_key     VARCHAR,              -- the one series the codes select; NULL when not in the warehouse
    resolution     VARCHAR NOT NULL CHECK (resolution IN (${resolutions})),
    resolution_msg VARCHAR,
    first_period   VARCHAR,
    last_period    VARCHAR,
    spec           JSON NOT NULL,        -- the validated catalogue entry, as in indicators/catalog/<id>.yaml
    FOREIGN KEY (objective) REFERENCES objectives (number),
    CHECK ((resolution = 'ok') = (series_key IS NOT NULL)),
    CHECK (json_extract_string(spec, '$.direction') IN (${directions}))
);

-- The selected series in display units (multiplier applied), every geo.
CREATE TABLE indicator_values (
    indicator_id VARCHAR NOT NULL,
    geo          VARCHAR NOT NULL,
    period       VARCHAR NOT NULL,
    year         DOUBLE NOT NULL,
    value        DOUBLE,
    obs_flag     VARCHAR,
    conf_flag    VARCHAR,
    origin       VARCHAR,              -- source/dataset the value came from (a supplement's, where it fills a gap)
    PRIMARY KEY (indicator_id, geo, period),
    FOREIGN KEY (indicator_id) REFERENCES indicators (id)
);

CREATE TABLE assessments (
    indicator_id         VARCHAR NOT NULL,
    objective            INTEGER NOT NULL,
    geo                  VARCHAR NOT NULL,
    status               VARCHAR NOT NULL CHECK (status IN (${statuses})),
    latest_period        VARCHAR,
    latest_value         DOUBLE,
    latest_flag          VARCHAR,
    eu_value             DOUBLE,
    rank                 INTEGER,
    n_ranked             INTEGER,
    gap_to_eu            DOUBLE,
    best_neighbour       VARCHAR,
    best_neighbour_value DOUBLE,
    latest_year          DOUBLE,         -- the latest observation's year (quarters as fractions)
    stale                BOOLEAN NOT NULL,  -- latest year more than STALE_AFTER_YEARS before the build year
    position             VARCHAR CHECK (position IN (${positions})),  -- against the EU, in the wanted direction
    status_kind          VARCHAR NOT NULL CHECK (status_kind IN (${status_kinds})),  -- against a target or a direction only
    card                 JSON NOT NULL,  -- every input and intermediate value of the status
    PRIMARY KEY (indicator_id, geo),
    FOREIGN KEY (indicator_id) REFERENCES indicators (id),
    FOREIGN KEY (objective) REFERENCES objectives (number),
    CHECK (status_kind = 'target' OR status IN (${direction_statuses}))
);

CREATE TABLE objective_status (
    objective      INTEGER NOT NULL,
    geo            VARCHAR NOT NULL,
    status         VARCHAR NOT NULL CHECK (status IN (${statuses})),
    status_kind    VARCHAR NOT NULL CHECK (status_kind IN (${status_kinds})),  -- direction: no target behind it
    mean_score     DOUBLE,
    counts         JSON NOT NULL,        -- statuses of the indicators on current data (stale ones: evidence)
    n_without_data INTEGER NOT NULL,
    n_assessed     INTEGER NOT NULL,
    n_current      INTEGER NOT NULL,     -- assessed indicators whose data are not stale: they make the status
    evidence       JSON NOT NULL,        -- level (strong | limited | none), counts and data years
    headline_id     VARCHAR,
    headline_status VARCHAR CHECK (headline_status IN (${statuses})),  -- the headline's own, beside the roll-up
    headline_status_kind VARCHAR CHECK (headline_status_kind IN (${status_kinds})),
    PRIMARY KEY (objective, geo),
    FOREIGN KEY (objective) REFERENCES objectives (number),
    CHECK (status_kind = 'target' OR status IN (${direction_statuses})),
    CHECK (n_without_data >= 0 AND n_assessed >= 0 AND n_current BETWEEN 0 AND n_assessed)
);
