import { describe, expect, it } from 'vitest';
import { studentWarningMail, teacherDigestMail } from './messages.js';

const warning = {
  studentName: 'Luis <b>Pérez</b>',
  courseId: 'MAT101',
  courseName: 'Cálculo I',
  teacherName: 'Ana Martínez',
  minimumPercent: 75,
  rate: 0.8,
  attended: 4,
  counted: 5,
  absences: 1,
  pending: 5,
  planned: 10,
  absencesLeft: 1,
};

describe('a student’s warning', () => {
  it('says how many classes they can still miss, in Spanish with a decimal comma, or in English', () => {
    const es = studentWarningMail('es', { ...warning, rate: 2 / 3, attended: 2, counted: 3 });
    expect(es.subject).toBe('Asistencia en riesgo: Cálculo I');
    expect(es.text).toContain('Llevas 66,7 % (2 de 3 clases contadas)');
    expect(es.text).toContain('Aún puedes faltar a 1 clase de las 10 planificadas y alcanzar el mínimo.');
    expect(studentWarningMail('en', warning).text).toContain('You can still miss 1 class of the 10 planned and reach the minimum.');
  });

  it('says when no absence is left, and when the minimum is out of reach even attending every class left', () => {
    expect(studentWarningMail('es', { ...warning, absencesLeft: 0 }).text).toContain('No puedes faltar a ninguna clase más de las 10 planificadas');
    const lost = studentWarningMail('es', { ...warning, rate: 0, attended: 0, counted: 5, absences: 5, pending: 2, planned: 7, absencesLeft: 0 });
    expect(lost.text).toContain('Aunque asistas a todas las clases que quedan (2), ya no puedes alcanzar el mínimo.');
  });

  it('escapes names in the HTML part', () => {
    const mail = studentWarningMail('es', warning);
    expect(mail.html).toContain('Hola, Luis &lt;b&gt;Pérez&lt;/b&gt;:');
    expect(mail.html).not.toContain('<b>Pérez</b>');
  });
});

describe('a teacher’s digest', () => {
  it('sums the week’s attendance over the classes held and lists who is at risk', () => {
    const mail = teacherDigestMail('es', {
      teacherName: 'Ana Martínez',
      courseId: 'MAT101',
      courseName: 'Cálculo I',
      firstDay: '2026-11-30',
      lastDay: '2026-12-06',
      minimumPercent: 75,
      sessions: [
        { plannedStart: '2026-12-01 10:00', room: 'A-101', attended: 3, counted: 3, rate: 1 },
        { plannedStart: '2026-12-03 10:00', room: 'A-101', attended: 0, counted: 1, rate: 0 },
      ],
      atRisk: [{ name: 'José Núñez', number: 'jose.estudiante', rate: 0.5, absences: 2, absencesLeft: 0 }],
    });
    expect(mail.subject).toBe('Resumen semanal de asistencia: Cálculo I (2026-11-30 al 2026-12-06)');
    expect(mail.text).toContain('Clases realizadas: 2. Asistencia de la semana: 75 %.');
    expect(mail.text).toContain('- 2026-12-01 10:00, sala A-101: 3 de 3 (100 %)');
    expect(mail.text).toContain('- José Núñez (jose.estudiante): 50 % de asistencia, 2 ausencias, aún puede faltar a 0 clases');
    expect(mail.html).toContain('<li>José Núñez (jose.estudiante): 50 % de asistencia');
  });
});
