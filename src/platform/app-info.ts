import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './project-root.js';

const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

export const SERVICE_NAME = 'VasDom AudioBot';
export const SERVICE_VERSION = packageJson.version;
export const PLATFORM = `Node.js ${process.version}`;

export const FEATURES = [
  'Ответы на вопросы о работе компании текстом',
  'Обучение на оценках пользователей (1–5 звёзд)',
  'Поиск похожих вопросов с высоко оценёнными ответами',
  'Работа без API-ключа: ответы из накопленных знаний и профиля компании',
  'Подключение любой OpenAI-совместимой LLM',
  'Экспорт оценённых диалогов для дообучения (JSONL)',
  'Метрики Prometheus и проверки здоровья',
];
