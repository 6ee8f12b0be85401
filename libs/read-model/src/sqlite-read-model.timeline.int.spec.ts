import { describeTimelineScenarios } from './spec/timeline.scenarios';
import { sqliteBackend } from './spec/sqlite-backend';

describeTimelineScenarios(sqliteBackend);
