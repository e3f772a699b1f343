-- 0010: opening hours of polling places, as the admin pages and the CSV set
-- give them (free text such as "7:00 AM - 8:00 PM"); exported in ERR as an
-- ExternalIdentifier of the polling place unit (OtherType polling-place-hours).
ALTER TABLE polling_places ADD COLUMN hours TEXT NOT NULL DEFAULT '';
