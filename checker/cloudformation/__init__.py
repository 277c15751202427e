"""CloudFormation templates as input: whole set-ups from one template.

A template (YAML with short-form tags, or JSON; CloudFormation, SAM or CDK synth output)
becomes the same inventory a configured set-up does, so every rule runs unchanged:

* :mod:`.template` – the template's sections (whole templates and bare fragments);
* :mod:`.intrinsics` / :mod:`.resources` – ``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` and friends
  evaluated statically, with pseudo parameters as symbols (:mod:`.symbols`);
* :mod:`.views` – API-shaped documents whose positions are the template's;
* :mod:`.attribution`, :mod:`.policies`, :mod:`.schemas` – one resource kind each;
* :mod:`.linker` – resources to set-ups, with :mod:`.roles` (the role and its policies) and
  :mod:`.storage` (bucket and key) on the shared :mod:`.links`;
* :mod:`.extend` – into the inventory (discovered set-ups, ``[[setup]] template``);
* :mod:`.suppress` – ``Metadata: personalize-lint: ignore`` suppressions;
* :mod:`.plugin` – the hook implementation.
"""
