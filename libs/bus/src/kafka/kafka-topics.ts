import type { Admin } from 'kafkajs';
import { topicPartitions } from '@approvals/contracts';
import { KafkaNames } from './kafka-client';

export interface TopicPlan {
  topic: string;
  numPartitions: number;
}

/** Every topic of the system with its partition count, from the one table in contracts. */
export const plannedTopics = (names = new KafkaNames()): TopicPlan[] =>
  Object.entries(topicPartitions).map(([topic, numPartitions]) => ({ topic: names.topic(topic), numPartitions }));

/**
 * Creates the missing topics (services call this at start-up) and refuses to run against a
 * topic with fewer partitions than planned, which would silently change per-key ordering
 * capacity. Returns the topics it created.
 */
export async function ensureTopics(admin: Admin, plan: TopicPlan[] = plannedTopics(), replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = plan.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.numPartitions, replicationFactor })),
        waitForLeaders: true,
      });
    } catch (error) {
      // Services start together and race to create the topics: losing the race is fine.
      const now = new Set(await admin.listTopics());
      if (!missing.every((t) => now.has(t.topic))) throw error;
    }
  }
  const present = plan.filter((t) => existing.has(t.topic));
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
    for (const topic of metadata.topics) {
      const want = present.find((t) => t.topic === topic.name)?.numPartitions ?? 0;
      if (topic.partitions.length < want) {
        throw new Error(`topic ${topic.name} has ${topic.partitions.length} partitions, ${want} are planned; add partitions before starting`);
      }
    }
  }
  return missing.map((t) => t.topic);
}
