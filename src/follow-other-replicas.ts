import type { Logger } from 'pino';
import type { CuratedAnswerService } from './curated/curated-answers.service.js';
import type { KnowledgeService } from './knowledge/knowledge.service.js';
import type { LearningService } from './learning/learning.service.js';
import type { JobRunner } from './platform/job-runner.js';
import type { RetrievalService } from './retrieval/retrieval.service.js';
import type { ChangeNotice, ChangeTopic } from './storage/change-feed.js';

/**
 * Keeps this replica's in-memory state in step with what other replicas on the same database change, as
 * the change feed announces it; after a gap in the feed ('resync'), catches up with everything.
 */
export function followOtherReplicas(parts: {
  learning: LearningService;
  curated: CuratedAnswerService;
  knowledge: KnowledgeService;
  retrieval: RetrievalService;
  jobs: Pick<JobRunner, 'register' | 'trigger'>;
  logger: Logger;
}): { onNotice(notice: ChangeNotice): void } {
  const { learning, curated, knowledge, retrieval, jobs, logger } = parts;
  jobs.register({
    name: 'curated-reload',
    work: () => curated.load(),
    onError: (error) => logger.warn({ err: error }, 'reloading curated answers failed'),
  });
  jobs.register({
    name: 'index-reload',
    work: () => retrieval.loadIndex(),
    onError: (error) => logger.warn({ err: error }, 'loading the retrieval index again failed'),
  });
  // Each runs as a job: a notice during a run is coalesced into one more run that sees the change.
  const follow: Record<ChangeTopic, () => Promise<unknown>> = {
    feedback: () => learning.requestPass(),
    curated: () => jobs.trigger('curated-reload'),
    knowledge: () => knowledge.requestRefresh(),
    api_keys: () => jobs.trigger('api-keys-reload'),
    // Another replica stored vectors (after a change of embedder): the index is filled from storage again.
    vectors: () => jobs.trigger('index-reload'),
  };
  const catchUpOnEverything = [
    () => learning.requestCatchUp(),
    follow.curated,
    follow.knowledge,
    follow.api_keys,
    () => jobs.trigger('conversation-tally-resync'),
  ];
  return {
    onNotice(notice) {
      for (const run of notice === 'resync' ? catchUpOnEverything : [follow[notice]]) {
        void run().catch((error: unknown) =>
          logger.warn({ err: error, notice }, 'catching up with another replica failed'),
        );
      }
    },
  };
}
