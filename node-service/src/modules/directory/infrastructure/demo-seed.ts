/**
 * The demo users and courses of development mode. The PHP portal seeds the same people from
 * php-legacy/seed.json; a test keeps the two equal.
 */
export interface DemoUser {
  id: string;
  username: string;
  name: string;
  role: 'teacher' | 'student' | 'admin';
  email: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: '1', username: 'ana.docente', name: 'Ana Martínez', role: 'teacher', email: 'ana.docente@example.edu' },
  { id: '6', username: 'pedro.docente', name: 'Pedro Sánchez', role: 'teacher', email: 'pedro.docente@example.edu' },
  { id: '2', username: 'luis.estudiante', name: 'Luis Pérez', role: 'student', email: 'luis.estudiante@example.edu' },
  { id: '3', username: 'maria.estudiante', name: 'María Gómez', role: 'student', email: 'maria.estudiante@example.edu' },
  { id: '4', username: 'jose.estudiante', name: 'José Núñez', role: 'student', email: 'jose.estudiante@example.edu' },
  { id: '5', username: 'carmen.admin', name: 'Carmen Ruiz', role: 'admin', email: 'carmen.admin@example.edu' },
  { id: '7', username: 'rosa.docente', name: 'Rosa Fuentes', role: 'teacher', email: 'rosa.docente@example.edu' },
  { id: '8', username: 'diego.ayudante', name: 'Diego Rojas', role: 'teacher', email: 'diego.ayudante@example.edu' },
];

export const DEMO_COURSES: readonly {
  id: string;
  name: string;
  teacherId: string;
  studentIds: string[];
  staff?: { id: string; role: 'co_teacher' | 'assistant' }[];
}[] = [
  {
    id: 'MAT101',
    name: 'Cálculo I',
    teacherId: '1',
    studentIds: ['2', '3', '4'],
    staff: [
      { id: '7', role: 'co_teacher' },
      { id: '8', role: 'assistant' },
    ],
  },
  { id: 'FIS201', name: 'Física II', teacherId: '6', studentIds: ['2', '3'] },
];
