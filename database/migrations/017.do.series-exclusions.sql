-- Series with exclusions (node-service: attendance/application/sessions.ts, holidays.ts).
--
-- 1. Public holidays (feriados): a weekly series makes no class on one. Shipped with Chile's national holidays
--    of 2027 (database/data/feriados-cl-2027.csv, the same rows; a unit test keeps the two in step); an admin
--    adds or removes days on the admin page, and who did it last is kept.
CREATE TABLE attendance.holidays (
  day         date        PRIMARY KEY,
  name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
  changed_by  text        NOT NULL DEFAULT 'migration',
  changed_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO attendance.holidays (day, name) VALUES
  ('2027-01-01', 'Año Nuevo'),
  ('2027-03-26', 'Viernes Santo'),
  ('2027-03-27', 'Sábado Santo'),
  ('2027-05-01', 'Día Nacional del Trabajo'),
  ('2027-05-21', 'Día de las Glorias Navales'),
  ('2027-06-21', 'Día Nacional de los Pueblos Indígenas'),
  ('2027-06-28', 'San Pedro y San Pablo'),
  ('2027-07-16', 'Día de la Virgen del Carmen'),
  ('2027-08-15', 'Asunción de la Virgen'),
  ('2027-09-18', 'Independencia Nacional'),
  ('2027-09-19', 'Día de las Glorias del Ejército'),
  ('2027-10-11', 'Encuentro de Dos Mundos'),
  ('2027-10-31', 'Día de las Iglesias Evangélicas y Protestantes'),
  ('2027-11-01', 'Día de Todos los Santos'),
  ('2027-12-08', 'Inmaculada Concepción'),
  ('2027-12-25', 'Navidad');

-- 2. What a series skipped when it was made: its recess ranges as the teacher gave them
--    ([{ "from", "to", "name" }]) and every date left out with why ([{ "date", "reason", "name" }]).
ALTER TABLE attendance.session_series
  ADD COLUMN recesses jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recesses) = 'array'),
  ADD COLUMN skipped  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(skipped) = 'array');
