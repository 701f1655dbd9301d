"""Working time (工作时间) and SLA clocks: the stages of a case's clock and their time limits
(时限), the working calendar (working hours, holidays and 调休 make-up days) that turns a limit
into a deadline, and the SLA state of a running clock (green / yellow / red). Plain Python, no
database: the case engine and the responsibility list use it; it knows nothing of cases."""
