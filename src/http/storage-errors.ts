import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.js';
import { type StorageFaultKind, type StorageStatus, storageFaultOf } from '../storage/storage-faults.js';

const RESPONSES: Record<
  StorageFaultKind,
  { code: 'storage_full' | 'storage_unavailable'; message: string; retryAfterSeconds: number }
> = {
  disk_full: {
    code: 'storage_full',
    message: 'Хранилище сервиса заполнено: сохранить данные сейчас нельзя. Повторите позже.',
    retryAfterSeconds: 60,
  },
  unavailable: {
    code: 'storage_unavailable',
    message: 'База данных сейчас недоступна. Повторите через несколько секунд.',
    retryAfterSeconds: 5,
  },
  file_lost: {
    code: 'storage_unavailable',
    message:
      'Файл базы данных удалён или заменён во время работы сервиса: запись остановлена, чтобы не потерять данные. Сообщите администратору.',
    retryAfterSeconds: 300,
  },
};

/**
 * The 503 a failure of the storage itself (a full disk, an unreachable database, a lost database file) is
 * answered with, or undefined for any other error.
 */
export function storageError(error: unknown): AppError | undefined {
  const fault = storageFaultOf(error);
  return fault === undefined ? undefined : refusalFor(fault);
}

function refusalFor(fault: StorageFaultKind): AppError {
  const { code, message, retryAfterSeconds } = RESPONSES[fault];
  return new AppError(code, message, retryAfterSeconds);
}

/** Methods that read: served from what the service holds even while writes cannot be kept. */
const READING_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * While a storage fault lasts, requests that would write are refused before any work is done for them (a
 * question would otherwise be answered, the LLM paid for, and the answer then not kept). Health's
 * background write probe ends the fault once the storage takes writes again.
 */
export function refuseWritesDuringStorageFault(app: FastifyInstance, status: StorageStatus): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const fault = status.fault;
    if (
      fault === undefined ||
      READING_METHODS.has(request.method) ||
      request.routeOptions.url === undefined
    ) {
      done();
      return;
    }
    done(refusalFor(fault.kind));
  });
}
