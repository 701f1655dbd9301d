"""Organisation and access: departments (承办单位), users and their roles, credentials
(argon2 password hashes, signed bearer tokens, integration API tokens) and the Actor a request
acts as.

It owns who someone is and which unit and areas they belong to. It does not own what a role may
do with a case (cases/policy.py decides that from the Actor) nor the areas themselves (geo)."""
