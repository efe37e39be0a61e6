-- The warehouse: the single source of truth for table and column names.
-- Built by pipelines/warehouse.py into a new file that replaces the old one atomically.

CREATE TABLE observations (
    source           VARCHAR NOT NULL,   -- eurostat | desi | statbel
    dataset          VARCHAR NOT NULL,   -- upstream code, lower case
    series_key       VARCHAR NOT NULL,   -- non-geo, non-time dimensions: sorted dim=code joined by |
    geo              VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,   -- upstream TIME_PERIOD text; DESI: reference year, not edition
    value            DOUBLE,             -- NULL when upstream gives only a flag (e.g. confidential)
    obs_flag         VARCHAR,            -- Eurostat observation status letters (b, p, e, u, d, ...)
    conf_flag        VARCHAR,            -- confidentiality status (C, N, P)
    upstream_updated VARCHAR,            -- ISO 8601 upstream last update of the dataset, when known
    fetched_at       TIMESTAMP,          -- when we read the payload
    edition          VARCHAR             -- DESI edition the value was published in (desi_2026); NULL otherwise
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
    old_upstream_updated VARCHAR,
    new_value            DOUBLE,
    new_obs_flag         VARCHAR,
    new_conf_flag        VARCHAR,
    new_upstream_updated VARCHAR,
    changed_at           TIMESTAMP NOT NULL
);

-- Code → label pairs carried by the payloads (Eurostat labels are English; Statbel NL/FR).
CREATE TABLE labels (
    source    VARCHAR NOT NULL,
    dataset   VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL,
    code      VARCHAR NOT NULL,
    lang      VARCHAR NOT NULL,
    label     VARCHAR
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
    upstream_updated VARCHAR,
    read_at          TIMESTAMP,
    n_obs            BIGINT NOT NULL,
    licence          VARCHAR,
    attribution      VARCHAR,
    notes            VARCHAR,
    PRIMARY KEY (source, dataset)
);

-- One row per attempt to fetch or read a payload, successful or not.
CREATE TABLE fetches (
    source           VARCHAR,
    dataset          VARCHAR,
    location         VARCHAR NOT NULL,   -- URL or path
    format           VARCHAR,
    started          TIMESTAMP NOT NULL,
    finished         TIMESTAMP,
    status           VARCHAR NOT NULL,   -- ok | superseded (reads); updated | unchanged | partial | failed | skipped
    bytes            BIGINT,
    sha256           VARCHAR,
    upstream_updated VARCHAR,
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
    valid_to      DATE
);

CREATE TABLE build_info (
    built_at        TIMESTAMP NOT NULL,
    built_from      VARCHAR NOT NULL,    -- snapshot | raw | refresh
    location        VARCHAR NOT NULL,
    n_obs           BIGINT NOT NULL,
    snapshot_sha256 VARCHAR              -- the snapshot manifest a snapshot build came from
);

-- The layout of this file; a build meeting an older warehouse migrates its data or refuses, never drops it.
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (5);

-- ---------------------------------------------------------------- catalogue and assessment (written by the build)

CREATE TABLE objectives (
    number         INTEGER PRIMARY KEY,
    id             VARCHAR NOT NULL,
    title_en       VARCHAR NOT NULL,
    title_fr       VARCHAR NOT NULL,
    title_nl       VARCHAR NOT NULL,
    description_en VARCHAR NOT NULL,
    description_fr VARCHAR NOT NULL,
    description_nl VARCHAR NOT NULL
);

CREATE TABLE indicators (
    id             VARCHAR PRIMARY KEY,
    objective      INTEGER NOT NULL,
    headline       BOOLEAN NOT NULL,
    source         VARCHAR NOT NULL,
    dataset        VARCHAR NOT NULL,
    series_key     VARCHAR,              -- the one series the codes select; NULL when not in the warehouse
    resolution     VARCHAR NOT NULL,     -- ok | no_dataset | no_series
    resolution_msg VARCHAR,
    first_period   VARCHAR,
    last_period    VARCHAR,
    spec           JSON NOT NULL         -- the validated catalogue entry, as in indicators/catalog/<id>.yaml
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
    origin       VARCHAR               -- source/dataset the value came from (a supplement's, where it fills a gap)
);

CREATE TABLE assessments (
    indicator_id         VARCHAR NOT NULL,
    objective            INTEGER NOT NULL,
    geo                  VARCHAR NOT NULL,
    status               VARCHAR NOT NULL,
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
    position             VARCHAR,        -- better | worse | level: against the EU value, in the wanted direction
    status_kind          VARCHAR NOT NULL,  -- target | direction: a status against a target, or a direction only
    card                 JSON NOT NULL,  -- every input and intermediate value of the status
    PRIMARY KEY (indicator_id, geo)
);

CREATE TABLE objective_status (
    objective      INTEGER NOT NULL,
    geo            VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,
    status_kind    VARCHAR NOT NULL,     -- direction when no indicator the status rests on has a target
    mean_score     DOUBLE,
    counts         JSON NOT NULL,        -- statuses of the indicators on current data (stale ones: evidence)
    n_without_data INTEGER NOT NULL,
    n_assessed     INTEGER NOT NULL,
    n_current      INTEGER NOT NULL,     -- assessed indicators whose data are not stale: they make the status
    evidence       JSON NOT NULL,        -- level (strong | limited | none), counts and data years
    headline_id     VARCHAR,
    headline_status VARCHAR,             -- the headline indicator's own status, shown beside the roll-up
    headline_status_kind VARCHAR,
    PRIMARY KEY (objective, geo)
);
