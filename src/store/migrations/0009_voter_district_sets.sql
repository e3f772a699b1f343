-- 0009: the 31 NC jurisdiction columns of voters move to district_sets, one
-- row per distinct combination (a voter file has about as many as it has
-- precinct splits), referenced by voters.district_set_id. A voter row gets
-- 30 columns narrower, which is most of what a bulk import spends per row
-- (docs/internals/voters.md). Existing voters are migrated in place.
--
-- The audit log keeps hashing a voter as the record it always was: the view
-- voter_records puts the district values back in their old place, with the
-- old column names and order, and the audit module reads voters through it
-- (src/audit/record.c), so entries written before this migration still
-- verify after it. A district set is never updated (a change of districts is
-- another set); its values are covered by the hashes of the voters using it.
CREATE TABLE district_sets (
  id INTEGER PRIMARY KEY,
  municipality_abbrv TEXT NOT NULL DEFAULT '',
  municipality_desc TEXT NOT NULL DEFAULT '',
  ward_abbrv TEXT NOT NULL DEFAULT '',
  ward_desc TEXT NOT NULL DEFAULT '',
  cong_dist_abbrv TEXT NOT NULL DEFAULT '',
  super_court_abbrv TEXT NOT NULL DEFAULT '',
  judic_dist_abbrv TEXT NOT NULL DEFAULT '',
  nc_senate_abbrv TEXT NOT NULL DEFAULT '',
  nc_house_abbrv TEXT NOT NULL DEFAULT '',
  county_commiss_abbrv TEXT NOT NULL DEFAULT '',
  county_commiss_desc TEXT NOT NULL DEFAULT '',
  township_abbrv TEXT NOT NULL DEFAULT '',
  township_desc TEXT NOT NULL DEFAULT '',
  school_dist_abbrv TEXT NOT NULL DEFAULT '',
  school_dist_desc TEXT NOT NULL DEFAULT '',
  fire_dist_abbrv TEXT NOT NULL DEFAULT '',
  fire_dist_desc TEXT NOT NULL DEFAULT '',
  water_dist_abbrv TEXT NOT NULL DEFAULT '',
  water_dist_desc TEXT NOT NULL DEFAULT '',
  sewer_dist_abbrv TEXT NOT NULL DEFAULT '',
  sewer_dist_desc TEXT NOT NULL DEFAULT '',
  sanit_dist_abbrv TEXT NOT NULL DEFAULT '',
  sanit_dist_desc TEXT NOT NULL DEFAULT '',
  rescue_dist_abbrv TEXT NOT NULL DEFAULT '',
  rescue_dist_desc TEXT NOT NULL DEFAULT '',
  munic_dist_abbrv TEXT NOT NULL DEFAULT '',
  munic_dist_desc TEXT NOT NULL DEFAULT '',
  dist_1_abbrv TEXT NOT NULL DEFAULT '',
  dist_1_desc TEXT NOT NULL DEFAULT '',
  vtd_abbrv TEXT NOT NULL DEFAULT '',
  vtd_desc TEXT NOT NULL DEFAULT '',
  UNIQUE (municipality_abbrv, municipality_desc, ward_abbrv, ward_desc, cong_dist_abbrv, super_court_abbrv, judic_dist_abbrv, nc_senate_abbrv, nc_house_abbrv, county_commiss_abbrv, county_commiss_desc, township_abbrv, township_desc, school_dist_abbrv, school_dist_desc, fire_dist_abbrv, fire_dist_desc, water_dist_abbrv, water_dist_desc, sewer_dist_abbrv, sewer_dist_desc, sanit_dist_abbrv, sanit_dist_desc, rescue_dist_abbrv, rescue_dist_desc, munic_dist_abbrv, munic_dist_desc, dist_1_abbrv, dist_1_desc, vtd_abbrv, vtd_desc)
);

INSERT INTO district_sets (municipality_abbrv, municipality_desc, ward_abbrv, ward_desc, cong_dist_abbrv, super_court_abbrv, judic_dist_abbrv, nc_senate_abbrv, nc_house_abbrv, county_commiss_abbrv, county_commiss_desc, township_abbrv, township_desc, school_dist_abbrv, school_dist_desc, fire_dist_abbrv, fire_dist_desc, water_dist_abbrv, water_dist_desc, sewer_dist_abbrv, sewer_dist_desc, sanit_dist_abbrv, sanit_dist_desc, rescue_dist_abbrv, rescue_dist_desc, munic_dist_abbrv, munic_dist_desc, dist_1_abbrv, dist_1_desc, vtd_abbrv, vtd_desc)
  SELECT DISTINCT municipality_abbrv, municipality_desc, ward_abbrv, ward_desc, cong_dist_abbrv, super_court_abbrv, judic_dist_abbrv, nc_senate_abbrv, nc_house_abbrv, county_commiss_abbrv, county_commiss_desc, township_abbrv, township_desc, school_dist_abbrv, school_dist_desc, fire_dist_abbrv, fire_dist_desc, water_dist_abbrv, water_dist_desc, sewer_dist_abbrv, sewer_dist_desc, sanit_dist_abbrv, sanit_dist_desc, rescue_dist_abbrv, rescue_dist_desc, munic_dist_abbrv, munic_dist_desc, dist_1_abbrv, dist_1_desc, vtd_abbrv, vtd_desc FROM voters;

-- No FOREIGN KEY: it would cost a lookup per bulk-loaded row; voter_records
-- is a LEFT JOIN so a dangling id shows up in `audit verify`, not as a
-- vanished voter.
ALTER TABLE voters ADD COLUMN district_set_id INTEGER;
UPDATE voters SET district_set_id = (SELECT d.id FROM district_sets d WHERE d.municipality_abbrv = voters.municipality_abbrv AND d.municipality_desc = voters.municipality_desc AND d.ward_abbrv = voters.ward_abbrv AND d.ward_desc = voters.ward_desc AND d.cong_dist_abbrv = voters.cong_dist_abbrv AND d.super_court_abbrv = voters.super_court_abbrv AND d.judic_dist_abbrv = voters.judic_dist_abbrv AND d.nc_senate_abbrv = voters.nc_senate_abbrv AND d.nc_house_abbrv = voters.nc_house_abbrv AND d.county_commiss_abbrv = voters.county_commiss_abbrv AND d.county_commiss_desc = voters.county_commiss_desc AND d.township_abbrv = voters.township_abbrv AND d.township_desc = voters.township_desc AND d.school_dist_abbrv = voters.school_dist_abbrv AND d.school_dist_desc = voters.school_dist_desc AND d.fire_dist_abbrv = voters.fire_dist_abbrv AND d.fire_dist_desc = voters.fire_dist_desc AND d.water_dist_abbrv = voters.water_dist_abbrv AND d.water_dist_desc = voters.water_dist_desc AND d.sewer_dist_abbrv = voters.sewer_dist_abbrv AND d.sewer_dist_desc = voters.sewer_dist_desc AND d.sanit_dist_abbrv = voters.sanit_dist_abbrv AND d.sanit_dist_desc = voters.sanit_dist_desc AND d.rescue_dist_abbrv = voters.rescue_dist_abbrv AND d.rescue_dist_desc = voters.rescue_dist_desc AND d.munic_dist_abbrv = voters.munic_dist_abbrv AND d.munic_dist_desc = voters.munic_dist_desc AND d.dist_1_abbrv = voters.dist_1_abbrv AND d.dist_1_desc = voters.dist_1_desc AND d.vtd_abbrv = voters.vtd_abbrv AND d.vtd_desc = voters.vtd_desc);
ALTER TABLE voters DROP COLUMN municipality_abbrv;
ALTER TABLE voters DROP COLUMN municipality_desc;
ALTER TABLE voters DROP COLUMN ward_abbrv;
ALTER TABLE voters DROP COLUMN ward_desc;
ALTER TABLE voters DROP COLUMN cong_dist_abbrv;
ALTER TABLE voters DROP COLUMN super_court_abbrv;
ALTER TABLE voters DROP COLUMN judic_dist_abbrv;
ALTER TABLE voters DROP COLUMN nc_senate_abbrv;
ALTER TABLE voters DROP COLUMN nc_house_abbrv;
ALTER TABLE voters DROP COLUMN county_commiss_abbrv;
ALTER TABLE voters DROP COLUMN county_commiss_desc;
ALTER TABLE voters DROP COLUMN township_abbrv;
ALTER TABLE voters DROP COLUMN township_desc;
ALTER TABLE voters DROP COLUMN school_dist_abbrv;
ALTER TABLE voters DROP COLUMN school_dist_desc;
ALTER TABLE voters DROP COLUMN fire_dist_abbrv;
ALTER TABLE voters DROP COLUMN fire_dist_desc;
ALTER TABLE voters DROP COLUMN water_dist_abbrv;
ALTER TABLE voters DROP COLUMN water_dist_desc;
ALTER TABLE voters DROP COLUMN sewer_dist_abbrv;
ALTER TABLE voters DROP COLUMN sewer_dist_desc;
ALTER TABLE voters DROP COLUMN sanit_dist_abbrv;
ALTER TABLE voters DROP COLUMN sanit_dist_desc;
ALTER TABLE voters DROP COLUMN rescue_dist_abbrv;
ALTER TABLE voters DROP COLUMN rescue_dist_desc;
ALTER TABLE voters DROP COLUMN munic_dist_abbrv;
ALTER TABLE voters DROP COLUMN munic_dist_desc;
ALTER TABLE voters DROP COLUMN dist_1_abbrv;
ALTER TABLE voters DROP COLUMN dist_1_desc;
ALTER TABLE voters DROP COLUMN vtd_abbrv;
ALTER TABLE voters DROP COLUMN vtd_desc;

-- The voter record as the rest of precinct reads it (SELECT * gives the
-- columns of pc_voter_fields, src/voters/fields.c, in order).
CREATE VIEW voter_records AS SELECT v.id, v.ncid, v.county_id, v.voter_reg_num, v.last_name, v.first_name, v.middle_name, v.name_suffix, v.status, v.status_reason, v.status_reason_desc, v.status_date, v.res_street_address, v.res_city, v.res_state, v.res_zip, v.mail_addr1, v.mail_addr2, v.mail_addr3, v.mail_addr4, v.mail_city, v.mail_state, v.mail_zip, v.phone, v.confidential, v.registration_date, v.registration_source, v.race, v.ethnicity, v.party, v.gender, v.birth_year, v.birth_date, v.birth_state, v.drivers_lic, v.dl_hmac, v.ssn4_hmac, v.hava_id_required, v.citizenship_attested, v.precinct_code,
  d.municipality_abbrv, d.municipality_desc, d.ward_abbrv, d.ward_desc, d.cong_dist_abbrv, d.super_court_abbrv, d.judic_dist_abbrv, d.nc_senate_abbrv, d.nc_house_abbrv, d.county_commiss_abbrv, d.county_commiss_desc, d.township_abbrv, d.township_desc, d.school_dist_abbrv, d.school_dist_desc, d.fire_dist_abbrv, d.fire_dist_desc, d.water_dist_abbrv, d.water_dist_desc, d.sewer_dist_abbrv, d.sewer_dist_desc, d.sanit_dist_abbrv, d.sanit_dist_desc, d.rescue_dist_abbrv, d.rescue_dist_desc, d.munic_dist_abbrv, d.munic_dist_desc, d.dist_1_abbrv, d.dist_1_desc, d.vtd_abbrv, d.vtd_desc,
  v.import_batch_id, v.merged_into_id
  FROM voters v LEFT JOIN district_sets d ON d.id = v.district_set_id;
