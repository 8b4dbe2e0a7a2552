import type { Scenario } from '../scenario';
import { elasticsearchScenario } from './file_to_elasticsearch';

/** `file_to_elasticsearch` with `document_id: auto`: the same ids as the bare-client baseline. */
export const scenario: Scenario = elasticsearchScenario('file_to_elasticsearch_auto_id', 'auto');
