import type { FollowupRepo } from '../survey/followups';
import type { SurveyRepo } from '../survey/surveyRepo';
import type { InteractionRepo } from './interactions';

// What dialogs and the bot need from storage: only the repositories' public methods. A class's own
// type also carries its private fields, so a repository over another SQL engine would not fit it;
// these structural types accept any object with the same methods.
export type InteractionStore = Pick<InteractionRepo, keyof InteractionRepo>;
export type SurveyStore = Pick<SurveyRepo, keyof SurveyRepo>;
export type FollowupStore = Pick<FollowupRepo, keyof FollowupRepo>;
