// The grade tiers and SLA targets of SPEC, as the indicator tests' small models spell them.
export const THREE_GRADES = { three: [{ name: 'high', min: 90 }, { name: 'medium', min: 60 }, { name: 'low', min: 0 }] };

export const SPEC_SLA = {
  enquiry_first_reply: { max: 10, unit: 'minutes' },
  complaint_initial: { max: 24, unit: 'hours' },
  transaction: { max: 3, unit: 'working_days' },
  complaint_closed: { max: 7, unit: 'days' },
  response_rate: { min: 60, unit: 'percent' },
};
